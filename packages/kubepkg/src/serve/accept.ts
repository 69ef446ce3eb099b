import { MediaType } from '@hub/image-save/registry';

/** Media types a client's Accept header allows; undefined means "anything" (no header, or a wildcard). */
export function acceptedTypes(accept: string | string[] | undefined): Set<string> | undefined {
  const values = (Array.isArray(accept) ? accept : [accept ?? ''])
    .flatMap((value) => value.split(','))
    .map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '')
    .filter((part) => part !== '');
  if (values.length === 0 || values.includes('*/*')) return undefined;
  return new Set(values);
}

/** The media type of stored manifest bytes: its own `mediaType`, else by shape as the distribution registry does. */
export function manifestMediaType(bytes: Uint8Array): string {
  try {
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as {
      mediaType?: unknown;
      manifests?: unknown;
      schemaVersion?: unknown;
    };
    if (typeof doc.mediaType === 'string' && doc.mediaType !== '') return doc.mediaType;
    if (doc.schemaVersion === 1) return MediaType.DockerSchema1Signed;
    return Array.isArray(doc.manifests) ? MediaType.OciIndex : MediaType.OciManifest;
  } catch {
    return 'application/octet-stream';
  }
}

/** What to do with a manifest for a client's Accept header. */
export type Negotiation = { serve: true } | { serve: false; reason: string } | { amd64Child: true };

/**
 * Distribution v2.8.3's rules: OCI manifests and indexes only go to clients that accept them; a Docker
 * list fetched by tag by a client that does not accept lists is answered with its linux/amd64 child.
 * No Accept header (or a wildcard) gets the stored manifest as-is.
 */
export function negotiate(mediaType: string, accepted: Set<string> | undefined, byTag: boolean): Negotiation {
  if (!accepted || accepted.has(mediaType)) return { serve: true };
  if (mediaType === MediaType.OciManifest || mediaType === MediaType.OciIndex) {
    return { serve: false, reason: `the manifest is ${mediaType}, which the Accept header does not allow` };
  }
  if (mediaType === MediaType.DockerManifestList) {
    return byTag ? { amd64Child: true } : { serve: true };
  }
  return { serve: true };
}

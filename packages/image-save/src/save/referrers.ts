import { parseDigest } from '../digest/digest.ts';
import { type Descriptor, isIndexMediaType, parseManifest } from '../registry/media-types.ts';

/** Suffixes of the tags cosign writes next to an image (`sha256-<hex>.sig` and friends). */
export const COSIGN_TAG_SUFFIXES = ['.sig', '.att', '.sbom'] as const;

/**
 * The OCI referrers fallback tag of a subject digest (`sha256:<hex>` → `sha256-<hex>`), as the image-spec's
 * "referrers tag schema"; undefined for a string that is not a digest.
 */
export function referrersFallbackTag(digest: string): string | undefined {
  const d = parseDigest(digest);
  return d ? `${d.algorithm}-${d.hex}` : undefined;
}

/** The tags, among `tags`, that may hold referrers of `subject`: the fallback tag first, then cosign's. */
export function referrerTagsOf(
  subject: string,
  tags: ReadonlySet<string>,
): {
  fallback?: string;
  cosign: string[];
} {
  const base = referrersFallbackTag(subject);
  if (!base) return { cosign: [] };
  return {
    ...(tags.has(base) ? { fallback: base } : {}),
    cosign: COSIGN_TAG_SUFFIXES.map((s) => `${base}${s}`).filter((t) => tags.has(t)),
  };
}

/**
 * The descriptors a referrers list (Referrers API answer or fallback-tag index) names; undefined when
 * the bytes are not an index, which callers treat as "no Referrers API" and fall back.
 */
export function referrerDescriptors(bytes: Uint8Array, contentType?: string): Descriptor[] | undefined {
  try {
    const parsed = parseManifest(bytes, contentType);
    if (parsed.kind !== 'index' || !isIndexMediaType(parsed.mediaType)) return undefined;
    return parsed.manifests;
  } catch {
    return undefined;
  }
}

/**
 * True when the manifest really declares `subject` as its subject. A fallback index is only a tag anyone
 * can overwrite (and clients have written wrong ones, oras-go#1396), so each entry is checked before saving.
 */
export function refersTo(bytes: Uint8Array, subject: string): boolean {
  try {
    return parseManifest(bytes).subject?.digest === subject;
  } catch {
    return false;
  }
}

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryStorage } from '@hub/image-save/storage';

/** A descriptor in a Referrers API answer (OCI distribution-spec 1.1). */
export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * The manifests of `repository` whose `subject` is `subject`, as the Referrers API lists them: each
 * manifest's `artifactType`, else its config's media type, and its annotations; sorted by digest.
 * Reads the revision links of the storage layout (every manifest hub-save or import stored there,
 * referrers saved with `--include-referrers` among them); `artifactType` filters.
 */
export async function listReferrers(
  storage: RegistryStorage,
  dir: string,
  repository: string,
  subject: string,
  artifactType?: string,
): Promise<ReferrerDescriptor[]> {
  const revisions = join(
    dir,
    'docker/registry/v2/repositories',
    ...repository.split('/'),
    '_manifests/revisions',
  );
  const found: ReferrerDescriptor[] = [];
  for (const algorithm of await readdir(revisions).catch(() => [] as string[])) {
    if (algorithm !== 'sha256' && algorithm !== 'sha512') continue;
    for (const hex of await readdir(join(revisions, algorithm)).catch(() => [] as string[])) {
      const digest = `${algorithm}:${hex}`;
      const size = await storage.blobSize(digest).catch(() => undefined);
      if (size === undefined || size > MAX_MANIFEST_BYTES) continue;
      const descriptor = describe(await storage.readBlobBytes(digest), digest, size, subject);
      if (descriptor && (artifactType === undefined || descriptor.artifactType === artifactType))
        found.push(descriptor);
    }
  }
  return found.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
}

function describe(
  bytes: Uint8Array,
  digest: string,
  size: number,
  subject: string,
): ReferrerDescriptor | undefined {
  let doc: {
    mediaType?: unknown;
    artifactType?: unknown;
    subject?: { digest?: unknown };
    config?: { mediaType?: unknown };
    annotations?: unknown;
  };
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || doc.subject?.digest !== subject) return undefined;
  const artifactType =
    typeof doc.artifactType === 'string'
      ? doc.artifactType
      : typeof doc.config?.mediaType === 'string'
        ? doc.config.mediaType
        : undefined;
  const annotations =
    typeof doc.annotations === 'object' && doc.annotations !== null
      ? (doc.annotations as Record<string, string>)
      : undefined;
  return {
    mediaType:
      typeof doc.mediaType === 'string' ? doc.mediaType : 'application/vnd.oci.image.manifest.v1+json',
    digest,
    size,
    ...(artifactType ? { artifactType } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

import { selectIndexChildren } from '../platform/platform.ts';
import {
  isForeignLayer,
  manifestBlobs,
  type ParsedManifest,
  parseManifest,
} from '../registry/media-types.ts';
import type { PlannedImage, SaveContext } from './save-context.ts';

/** Annotation a filtered index carries: the digest of the source index it was cut from. */
export const SOURCE_INDEX_ANNOTATION = 'dev.hub.image-save.source-index.digest';

/**
 * True when `digest` (the source's) is fully stored and tagged in the target repository: the tag, every
 * kept child and every blob linked, each blob at its full size. This is what makes a re-run cost one HEAD.
 */
export async function isUpToDate(ctx: SaveContext, p: PlannedImage, digest: string): Promise<boolean> {
  const { storage } = ctx;
  const tagged = p.ref.tag ? await storage.resolveTag(p.repository, p.ref.tag) : digest;
  if (!tagged) return false;
  if (!(await storage.hasBlob(digest))) return false;
  let topBytes = await storage.readBlobBytes(digest);
  if (tagged !== digest) {
    // Filtered mode: the tag points at a filtered index cut from `digest`.
    if (!ctx.filteredIndex) return false;
    const stored = await storage.readBlobBytes(tagged).catch(() => undefined);
    if (!stored || sourceIndexOf(stored) !== digest) return false;
    topBytes = stored;
  }
  if (!(await storage.hasManifestLink(p.repository, tagged))) return false;
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(topBytes);
  } catch {
    return false;
  }
  const imageManifests: ParsedManifest[] = [];
  if (parsed.kind === 'index') {
    const source = parseManifest(await storage.readBlobBytes(digest));
    if (source.kind !== 'index') return false;
    const children = selectIndexChildren(source.manifests, {
      platforms: ctx.platforms,
      includeAttestations: ctx.includeAttestations,
    });
    if (children.length === 0) return false;
    for (const c of children) {
      if (!(await storage.hasManifestLink(p.repository, c.digest))) return false;
      imageManifests.push(parseManifest(await storage.readBlobBytes(c.digest)));
    }
  } else imageManifests.push(parsed);
  for (const m of imageManifests) {
    if (m.kind !== 'manifest') return false;
    for (const b of manifestBlobs(m)) {
      if (isForeignLayer(b)) continue;
      if (
        !(await storage.hasLayerLink(p.repository, b.digest)) ||
        (await storage.blobSize(b.digest)) !== b.size
      )
        return false;
    }
  }
  return true;
}

/** The digest the stored tag points at (the filtered index in filtered mode), else `digest`. */
export async function storedTopDigest(ctx: SaveContext, p: PlannedImage, digest: string): Promise<string> {
  return (p.ref.tag ? await ctx.storage.resolveTag(p.repository, p.ref.tag) : undefined) ?? digest;
}

/** The index with only the kept children, annotated with the source index digest (new bytes, new digest). */
export function filteredIndexBytes(
  original: Uint8Array,
  keep: Set<string>,
  sourceDigest: string,
): Uint8Array {
  const doc = JSON.parse(new TextDecoder().decode(original)) as {
    manifests: { digest: string }[];
    annotations?: Record<string, string>;
    mediaType?: string;
  };
  doc.manifests = doc.manifests.filter((m) => keep.has(m.digest));
  doc.annotations = { ...doc.annotations, [SOURCE_INDEX_ANNOTATION]: sourceDigest };
  doc.mediaType ??= 'application/vnd.oci.image.index.v1+json';
  return new TextEncoder().encode(JSON.stringify(doc));
}

function sourceIndexOf(bytes: Uint8Array): string | undefined {
  try {
    return (JSON.parse(new TextDecoder().decode(bytes)) as { annotations?: Record<string, string> })
      .annotations?.[SOURCE_INDEX_ANNOTATION];
  } catch {
    return undefined;
  }
}

import { digestBytes } from '../digest/digest.ts';
import { imageBlobs, resolveImageContent } from '../resolve/resolve-image.ts';
import { collectReferrers } from './collect-referrers.ts';
import { type PlannedImage, type SaveContext, signalOption, storedManifest } from './save-context.ts';
import { SaveError } from './save-error.ts';
import { checkShortName } from './short-name-step.ts';
import { filteredIndexBytes, isUpToDate, storedTopDigest } from './up-to-date.ts';

/**
 * Step 2 of `saveImages`, per image: one HEAD for a tag, done if the stored copy is complete; else
 * resolve the manifests and blobs (the shared `resolveImageContent`) and, if asked, the referrers.
 * Resolves to true when the image is already up to date.
 */
export async function resolvePlanned(ctx: SaveContext, p: PlannedImage): Promise<boolean> {
  await checkShortName(ctx, p);
  let digest = p.ref.digest;
  if (!digest) {
    const tag = p.ref.tag ?? 'latest';
    const head = await ctx.client.headManifest(p.source, tag, signalOption(ctx));
    if (!head) {
      throw new SaveError(
        'NOT_FOUND',
        `${p.input}: ${p.source.registry}/${p.ref.repository} has no tag "${tag}"`,
        {
          reference: p.input,
        },
      );
    }
    digest = head.digest;
  }
  // With referrers, a re-run always looks again: signatures may have been added since.
  if (digest && !ctx.includeReferrers && (await isUpToDate(ctx, p, digest))) {
    p.result.digest = await storedTopDigest(ctx, p, digest);
    return true;
  }
  const content = await resolveImageContent(ctx.client, p.source, digest ?? (p.ref.tag as string), {
    platforms: ctx.platforms,
    includeAttestations: ctx.includeAttestations,
    reference: p.input,
    cached: storedManifest(ctx),
    ...signalOption(ctx),
  });
  ctx.counters.manifestsFetched += content.fetched;
  const { top, children } = content;
  p.topDigest = top.digest;
  for (const c of children) p.manifests.push({ digest: c.digest, bytes: c.bytes });
  p.blobs.push(...imageBlobs(content));
  for (const m of [top, ...children])
    for (const f of m.foreign)
      ctx.emit({ type: 'blob-skipped', digest: f.digest, size: f.size, reason: 'foreign' });
  p.manifests.push({ digest: top.digest, bytes: top.bytes });
  p.result.digest = top.digest;
  if (ctx.filteredIndex && children.length > 0) {
    // The original stays stored (unlinked) for the up-to-date check; the tag points at the filtered copy.
    const filtered = filteredIndexBytes(top.bytes, new Set(children.map((c) => c.digest)), top.digest);
    const fd = digestBytes(filtered);
    p.manifests.push({ digest: fd, bytes: filtered });
    p.result.digest = fd;
  }
  if (ctx.includeReferrers) {
    await collectReferrers(ctx, p, [top.digest, ...children.map((c) => c.digest)]);
  }
  ctx.emit({
    type: 'image-resolved',
    reference: p.input,
    digest: top.digest,
    mediaType: top.mediaType,
    manifests: p.manifests.length,
    blobs: p.blobs.length,
    bytes: p.blobs.reduce((n, b) => n + b.size, 0),
  });
  return false;
}

import type { PlannedImage, SaveContext } from './save-context.ts';
import { linkShortName } from './short-name-step.ts';

/**
 * Step 4 of `saveImages`, per image, once its blobs are in place: manifests, repository links, the tag
 * last, so a stock registry never serves a tag whose content is missing.
 */
export async function writeImage(ctx: SaveContext, p: PlannedImage): Promise<void> {
  const { storage } = ctx;
  for (const m of p.manifests) await storage.writeBlobBytes(m.digest, m.bytes);
  for (const b of p.blobs) {
    if (!(await storage.hasLayerLink(p.repository, b.digest))) {
      await storage.linkLayer(p.repository, b.digest);
      ctx.counters.blobsLinked++;
    }
  }
  const top = p.result.digest as string;
  for (const m of p.manifests) {
    // In filtered mode the original index is stored but not linked: it lists children we did not save.
    if (ctx.filteredIndex && m.digest === p.topDigest && m.digest !== top && p.manifests.length > 1) continue;
    await storage.linkManifest(p.repository, m.digest);
  }
  if (p.ref.tag) await storage.tag(p.repository, p.ref.tag, top);
  for (const t of p.extraTags) await storage.tag(p.repository, t.tag, t.digest);
  await linkShortName(ctx, p); // after the repository itself, so the short name never runs ahead of it
}

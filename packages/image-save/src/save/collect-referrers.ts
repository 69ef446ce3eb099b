import { digestBytes } from '../digest/digest.ts';
import { type Descriptor, manifestBlobs, parseManifest } from '../registry/media-types.ts';
import { referrerDescriptors, referrersFallbackTag, referrerTagsOf, refersTo } from './referrers.ts';
import { loadManifest, type PlannedImage, type SaveContext, signalOption } from './save-context.ts';
import { filteredIndexBytes } from './up-to-date.ts';

function sourceTags(ctx: SaveContext, p: PlannedImage): Promise<Set<string>> {
  const key = `${p.source.registry}/${p.source.repository}`;
  let tags = ctx.tagLists.get(key);
  if (!tags) {
    tags = ctx.client.listTags(p.source, signalOption(ctx)).then((t) => new Set(t));
    ctx.tagLists.set(key, tags);
  }
  return tags;
}

/**
 * Adds the referrers of `subjects` to the plan of `p`: the OCI Referrers API answer (kept as the
 * fallback tag too), the `sha256-<hex>` fallback index (only entries that really refer to the subject),
 * and cosign's `.sig`/`.att`/`.sbom` tags (each fetched once).
 */
export async function collectReferrers(
  ctx: SaveContext,
  p: PlannedImage,
  subjects: readonly string[],
): Promise<void> {
  const seen = new Set(p.manifests.map((m) => m.digest));
  const blobSeen = new Set(p.blobs.map((b) => b.digest));
  const tags = await sourceTags(ctx, p);

  /** Plans one referrer (and its children when it is an index); false when it does not refer to `subject`. */
  const add = async (m: { digest: string; bytes: Uint8Array }, subject?: string): Promise<boolean> => {
    if (subject !== undefined && !refersTo(m.bytes, subject)) return false;
    const parsed = parseManifest(m.bytes);
    const own: { digest: string; bytes: Uint8Array }[] = [];
    const blobs: Descriptor[] = [];
    if (parsed.kind === 'index') {
      for (const child of parsed.manifests) {
        const c = await loadManifest(ctx, p, child.digest);
        const cp = parseManifest(c.bytes, child.mediaType);
        if (cp.kind !== 'manifest') continue;
        own.push(c);
        blobs.push(...manifestBlobs(cp));
      }
    } else blobs.push(...manifestBlobs(parsed));
    own.push(m);
    for (const o of own) {
      if (seen.has(o.digest)) continue;
      seen.add(o.digest);
      p.manifests.push(o);
    }
    for (const b of blobs) {
      if (blobSeen.has(b.digest)) continue;
      blobSeen.add(b.digest);
      p.blobs.push(b);
    }
    return true;
  };
  const addByDigest = async (digest: string, subject: string): Promise<boolean> =>
    seen.has(digest) ? true : add(await loadManifest(ctx, p, digest), subject);

  for (const subject of subjects) {
    const { fallback, cosign } = referrerTagsOf(subject, tags);
    const api = await ctx.client.getReferrers(p.source, subject, signalOption(ctx));
    const apiList = api ? referrerDescriptors(api.bytes, api.mediaType) : undefined;
    if (api && apiList) {
      for (const d of apiList) await addByDigest(d.digest, subject);
      // The target registry has no Referrers API: keep the answer as the fallback tag so clients find it.
      if (apiList.length > 0 && fallback === undefined) {
        const digest = digestBytes(api.bytes);
        p.manifests.push({ digest, bytes: api.bytes });
        p.extraTags.push({ tag: referrersFallbackTag(subject) as string, digest });
      }
    }
    if (fallback !== undefined) {
      const idx = await loadManifest(ctx, p, fallback);
      const list = referrerDescriptors(idx.bytes) ?? [];
      const verified: string[] = [];
      for (const d of list) if (await addByDigest(d.digest, subject)) verified.push(d.digest);
      if (verified.length === list.length) {
        if (!seen.has(idx.digest)) p.manifests.push(idx);
        seen.add(idx.digest);
        p.extraTags.push({ tag: fallback, digest: idx.digest });
      } else if (verified.length > 0) {
        // Entries not pointing at the subject are dropped: write an index of the verified ones only.
        const bytes = filteredIndexBytes(idx.bytes, new Set(verified), idx.digest);
        const digest = digestBytes(bytes);
        p.manifests.push({ digest, bytes });
        p.extraTags.push({ tag: fallback, digest });
      }
    }
    for (const tag of cosign) {
      // Fetched once by tag; the bytes in hand are planned as they are.
      const m = await loadManifest(ctx, p, tag);
      if (!seen.has(m.digest)) await add(m);
      p.extraTags.push({ tag, digest: m.digest });
    }
  }
}

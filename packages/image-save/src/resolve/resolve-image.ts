import { formatPlatform, type PlatformSpec, selectIndexChildren } from '../platform/platform.ts';
import {
  type Descriptor,
  isForeignLayer,
  manifestBlobs,
  type ParsedManifest,
  type Platform,
  parseManifest,
} from '../registry/media-types.ts';
import type { RegistryClient } from '../registry/registry-client.ts';
import type { RepositoryLocation } from '../registry/registry-types.ts';
import { SaveError } from '../save/save-error.ts';

/** One manifest of a resolved image, byte-exact, with what it needs fetched. */
export interface ResolvedManifest {
  digest: string;
  bytes: Uint8Array;
  /** The manifest's media type (the document's own, else the HTTP Content-Type). */
  mediaType: string;
  size: number;
  parsed: ParsedManifest;
  /** The index entry's platform, for children of an index. */
  platform?: Platform;
  /** Config and layers to fetch from the registry (foreign layers excluded); empty for an index. */
  blobs: Descriptor[];
  /** Foreign layers, fetched by clients from their URLs (see `isForeignLayer`). */
  foreign: Descriptor[];
}

/** What an image reference resolves to: the top manifest (index or image) and the chosen children. */
export interface ResolvedImageContent {
  top: ResolvedManifest;
  /** The index children kept for the wanted platforms, in index order; empty when `top` is an image. */
  children: ResolvedManifest[];
  /** How many manifests came from the registry (the rest from `cached`). */
  fetched: number;
}

/** Options of {@link resolveImageContent}. */
export interface ResolveImageOptions {
  /** Platforms to keep from an index; `all` keeps every one. */
  platforms: readonly PlatformSpec[] | 'all';
  /** Keep attestation manifests (`unknown/unknown`) of the kept platforms (default false). */
  includeAttestations?: boolean;
  /** The reference as given, for messages (default `tagOrDigest`). */
  reference?: string;
  /** Manifest bytes already at hand (e.g. stored locally), by digest; undefined to fetch. */
  cached?: (digest: string) => Promise<Uint8Array | undefined>;
  signal?: AbortSignal;
}

/**
 * The one image-resolution path of hub (used by `saveImages` and by kubepkg's export): fetches the
 * manifest of `tagOrDigest` byte-exact, keeps the index children of the wanted platforms, and lists
 * for each image manifest the blobs to fetch, applying the one foreign-layer rule.
 * Fails with SaveError PLATFORM_NOT_FOUND / UNSUPPORTED_MANIFEST, or the RegistryError of the fetch.
 */
export async function resolveImageContent(
  client: RegistryClient,
  source: RepositoryLocation,
  tagOrDigest: string,
  opts: ResolveImageOptions,
): Promise<ResolvedImageContent> {
  const reference = opts.reference ?? tagOrDigest;
  let fetched = 0;
  const load = async (ref: string, contentType?: string, platform?: Platform): Promise<ResolvedManifest> => {
    const local = ref.includes(':') ? await opts.cached?.(ref) : undefined;
    let bytes: Uint8Array;
    let digest: string;
    let mediaType = contentType;
    if (local) {
      bytes = local;
      digest = ref;
    } else {
      const m = await client.getManifest(source, ref, opts.signal ? { signal: opts.signal } : {});
      fetched++;
      ({ bytes, digest } = m);
      mediaType = contentType ?? m.mediaType;
    }
    const parsed = parseManifest(bytes, mediaType);
    const all = parsed.kind === 'manifest' ? manifestBlobs(parsed) : [];
    return {
      digest,
      bytes,
      mediaType: parsed.mediaType,
      size: bytes.byteLength,
      parsed,
      ...(platform ? { platform } : {}),
      blobs: all.filter((b) => !isForeignLayer(b)),
      foreign: all.filter(isForeignLayer),
    };
  };

  const top = await load(tagOrDigest);
  if (top.parsed.kind === 'manifest') return { top, children: [], fetched };
  const entries = selectIndexChildren(top.parsed.manifests, {
    platforms: opts.platforms,
    includeAttestations: opts.includeAttestations ?? false,
  });
  if (entries.length === 0) {
    const available = top.parsed.manifests
      .map((m) => (m.platform ? formatPlatform(m.platform) : 'artifact'))
      .join(', ');
    const wanted = opts.platforms === 'all' ? 'any platform' : opts.platforms.map(formatPlatform).join(', ');
    throw new SaveError(
      'PLATFORM_NOT_FOUND',
      `${reference}: no manifest for ${wanted}; the index offers ${available || 'nothing'}`,
      { reference, digest: top.digest },
    );
  }
  const children: ResolvedManifest[] = [];
  for (const entry of entries) {
    const child = await load(entry.digest, entry.mediaType, entry.platform);
    if (child.parsed.kind !== 'manifest') {
      throw new SaveError(
        'UNSUPPORTED_MANIFEST',
        `${reference}: index ${top.digest} nests another index (${entry.digest}), which is not supported`,
        { reference, digest: entry.digest },
      );
    }
    children.push(child);
  }
  return { top, children, fetched };
}

/** Every blob to fetch for a resolved image, each digest once, in manifest order. */
export function imageBlobs(content: ResolvedImageContent): Descriptor[] {
  const seen = new Set<string>();
  const out: Descriptor[] = [];
  for (const m of [content.top, ...content.children]) {
    for (const b of m.blobs) {
      if (seen.has(b.digest)) continue;
      seen.add(b.digest);
      out.push(b);
    }
  }
  return out;
}

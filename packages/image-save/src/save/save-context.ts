import type { ImageReference } from '@hub/api-types/reference';
import type { PlatformSpec } from '../platform/platform.ts';
import type { Descriptor } from '../registry/media-types.ts';
import type { RegistryClient } from '../registry/registry-client.ts';
import type { RepositoryLocation } from '../registry/registry-types.ts';
import type { RegistryStorage } from '../storage/registry-storage.ts';
import type { ShortNames } from '../storage/short-names.ts';
import type { SaveEvent } from './events.ts';
import type { SaveError } from './save-error.ts';

/** Per-image outcome. */
export interface SaveImageResult {
  /** The reference as given. */
  reference: string;
  status: 'saved' | 'failed';
  /** Digest the saved tag points at (top-level manifest or index). */
  digest?: string;
  /** Repository path inside the saved directory. */
  repository: string;
  tag?: string;
  /** The Docker Hub short name the image is also served under (`mysql` for `library/mysql`). */
  shortName?: string;
  /** True when the stored tag already matched the source and nothing was fetched. */
  upToDate?: boolean;
  error?: SaveError;
}

/** One valid input on its way through the steps of `saveImages`. */
export interface PlannedImage {
  input: string;
  ref: ImageReference;
  /** Where it is fetched from: its registry, or that registry's mirror. */
  source: RepositoryLocation;
  repository: string;
  /** A Docker Hub official image's short name, linked to `repository` once it is saved. */
  shortName?: string;
  result: SaveImageResult;
  /** Manifests to write (bytes), children before parents. */
  manifests: { digest: string; bytes: Uint8Array }[];
  blobs: Descriptor[];
  topDigest?: string;
  /** Referrer tags (fallback index, cosign) to write after the image's tag. */
  extraTags: { tag: string; digest: string }[];
}

/** What every step of `saveImages` shares: the options that matter to it, the client, the counters. */
export interface SaveContext {
  client: RegistryClient;
  storage: RegistryStorage;
  shortNames: ShortNames;
  platforms: readonly PlatformSpec[] | 'all';
  includeAttestations: boolean;
  includeReferrers: boolean;
  filteredIndex: boolean;
  signal: AbortSignal | undefined;
  emit: (event: SaveEvent) => void;
  counters: { manifestsFetched: number; blobsLinked: number };
  /** Source tag lists, one request per repository (referrer tags are looked up in them). */
  tagLists: Map<string, Promise<Set<string>>>;
}

/** `{ signal }` when there is one, for the client's option bags. */
export function signalOption(ctx: SaveContext): { signal?: AbortSignal } {
  return ctx.signal ? { signal: ctx.signal } : {};
}

/** A manifest from local storage when already there, else from the source (counted). */
export async function loadManifest(
  ctx: SaveContext,
  p: PlannedImage,
  reference: string,
): Promise<{ digest: string; bytes: Uint8Array }> {
  if (reference.includes(':') && (await ctx.storage.hasBlob(reference).catch(() => false))) {
    return { digest: reference, bytes: await ctx.storage.readBlobBytes(reference) };
  }
  const m = await ctx.client.getManifest(p.source, reference, signalOption(ctx));
  ctx.counters.manifestsFetched++;
  return { digest: m.digest, bytes: m.bytes };
}

/** Stored manifest bytes by digest, for `resolveImageContent`'s cache. */
export function storedManifest(ctx: SaveContext): (digest: string) => Promise<Uint8Array | undefined> {
  return async (digest) =>
    (await ctx.storage.hasBlob(digest).catch(() => false)) ? ctx.storage.readBlobBytes(digest) : undefined;
}

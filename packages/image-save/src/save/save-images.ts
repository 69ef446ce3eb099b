import { formatImageReference, type ImageReference, parseImageReference } from '@hub/api-types';
import type { RegistryAuth } from '../auth/registry-auth.ts';
import { digestBytes } from '../digest/digest.ts';
import { keptHostRepository } from '../kept-host-repository.ts';
import {
  formatPlatform,
  hostPlatform,
  type PlatformSpec,
  parsePlatform,
  selectIndexChildren,
} from '../platform/platform.ts';
import {
  type Descriptor,
  MediaType,
  manifestBlobs,
  type ParsedManifest,
  parseManifest,
} from '../registry/media-types.ts';
import { RegistryClient, type RepositoryLocation } from '../registry/registry-client.ts';
import { isRegistryError } from '../registry/registry-error.ts';
import type { RetryPolicy } from '../registry/retry.ts';
import type { TransportOptions } from '../registry/transport.ts';
import { RegistryStorage } from '../storage/registry-storage.ts';
import { StorageError } from '../storage/storage-error.ts';
import { BlobFetcher, brief } from './blob-fetcher.ts';
import type { SaveEvent, SaveSummary } from './events.ts';
import { referrerDescriptors, referrersFallbackTag, referrerTagsOf, refersTo } from './referrers.ts';
import { SaveError } from './save-error.ts';

/** Annotation a filtered index carries: the digest of the source index it was cut from. */
export const SOURCE_INDEX_ANNOTATION = 'dev.hub.image-save.source-index.digest';

/** Options of {@link saveImages}. */
export interface SaveImagesOptions extends TransportOptions {
  /** Image references (`nginx:1.27`, `ghcr.io/a/b@sha256:…`, `name:tag@digest`). */
  images: readonly string[];
  /** Storage root: the directory `docker-registry` uses as `storage.filesystem.rootdirectory`. */
  dir: string;
  /** Platforms to keep (`os/arch[/variant]`); default: the host platform, as `docker pull`. */
  platforms?: readonly (string | PlatformSpec)[];
  /** Shorthand of the seed's API: `linux/<arch>`. */
  arch?: string;
  /** Keep every platform. */
  allPlatforms?: boolean;
  /** Store under `<registry>/<repository>` instead of `<repository>` (default false). */
  keepRegistryHost?: boolean;
  /** Write a filtered index listing only the saved children instead of the original (default false). */
  filteredIndex?: boolean;
  /** Blob transfers per source host (default 6). */
  concurrency?: number;
  /** Keep attestation manifests (`unknown/unknown`) of the saved platforms (default false). */
  includeAttestations?: boolean;
  /**
   * Also save signatures and other referrers of every saved manifest (default false): the OCI Referrers
   * API, else the `sha256-<hex>` fallback tag, plus cosign's `sha256-<hex>.sig`/`.att`/`.sbom` tags.
   * The fallback and cosign tags are written too, so cosign/notation verify offline against the saved dir.
   */
  includeReferrers?: boolean;
  /** Authentication (default: docker config.json); `false` for none. */
  auth?: RegistryAuth | false;
  retry?: Partial<RetryPolicy>;
  /** Reuse a client (its transport options win over the ones here). */
  client?: RegistryClient;
  signal?: AbortSignal;
  onEvent?: (event: SaveEvent) => void;
}

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
  /** True when the stored tag already matched the source and nothing was fetched. */
  upToDate?: boolean;
  error?: SaveError;
}

/** What {@link saveImages} returns. */
export interface SaveImagesResult {
  images: SaveImageResult[];
  summary: SaveSummary;
}

interface Planned {
  input: string;
  ref: ImageReference;
  source: RepositoryLocation;
  repository: string;
  result: SaveImageResult;
  /** Manifests to write (bytes), children before parents. */
  manifests: { digest: string; bytes: Uint8Array }[];
  blobs: Descriptor[];
  topDigest?: string;
  /** Referrer tags (fallback index, cosign) to write after the image's tag. */
  extraTags: { tag: string; digest: string }[];
}

/**
 * Saves images and OCI artifacts (Helm charts) into `dir` in the distribution registry's storage
 * layout, so a stock `docker-registry serve` with that root serves every saved tag, digest and blob.
 *
 * Each blob is fetched once across all images and linked into every repository using it; largest
 * blobs first; partial blobs resume after a crash; a re-run of a finished save spends one manifest
 * HEAD per tag. Failures are per image: the others are still saved.
 */
export async function saveImages(opts: SaveImagesOptions): Promise<SaveImagesResult> {
  const started = Date.now();
  const emit = (e: SaveEvent) => opts.onEvent?.(e);
  const storage = new RegistryStorage(opts.dir);
  const ownClient = !opts.client;
  const client =
    opts.client ??
    new RegistryClient({
      ...opts,
      ...(opts.auth === undefined ? {} : { auth: opts.auth }),
      connectionsPerHost: Math.max(opts.concurrency ?? 6, 2),
      onRetry: ({ host, path, attempt, delayMs, error }) =>
        emit({ type: 'retry', host, path, attempt, delayMs, error: brief(error) }),
    });
  const platforms = resolvePlatforms(opts);
  const fetcher = new BlobFetcher({
    storage,
    client,
    concurrency: opts.concurrency ?? 6,
    emit,
    signal: opts.signal,
  });
  let manifestsFetched = 0;
  let blobsLinked = 0;
  // Source tag lists, one request per repository (referrer tags are looked up in them).
  const tagLists = new Map<string, Promise<Set<string>>>();

  const planned: Planned[] = [];
  const results: SaveImageResult[] = [];
  const targets = new Map<string, string>();
  for (const input of dedupe(opts.images)) {
    const parsed = parseImageReference(input);
    if (!parsed.success) {
      const result: SaveImageResult = {
        reference: input,
        status: 'failed',
        repository: '',
        error: new SaveError(
          'invalid-reference',
          `"${input}" is not a valid image reference: ${parsed.error.message}`,
          {
            reference: input,
            cause: parsed.error,
          },
        ),
      };
      results.push(result);
      continue;
    }
    const ref = parsed.data;
    const repository = opts.keepRegistryHost
      ? keptHostRepository(ref.registry, ref.repository)
      : ref.repository;
    const result: SaveImageResult = {
      reference: input,
      status: 'failed',
      repository,
      ...(ref.tag ? { tag: ref.tag } : {}),
    };
    results.push(result);
    if (ref.tag) {
      const key = `${repository}:${ref.tag}`;
      const other = targets.get(key);
      const mine = formatImageReference(ref, { dropTagWithDigest: false });
      if (other !== undefined && other.split('/')[0] !== ref.registry) {
        result.error = new SaveError(
          'repository-collision',
          `"${input}" and "${other}" would both be saved as ${key}; pass keepRegistryHost (--keep-registry-host) to keep the registry host in repository paths.`,
          { reference: input },
        );
        continue;
      }
      targets.set(key, mine);
    }
    planned.push({
      input,
      ref,
      source: { registry: ref.registry, repository: ref.repository },
      repository,
      result,
      manifests: [],
      blobs: [],
      extraTags: [],
    });
  }

  const fail = (p: Planned, error: unknown) => {
    p.result.status = 'failed';
    p.result.error = toSaveError(p.input, error);
  };

  // Phase 1: resolve manifests (small, concurrent), skipping images already complete on disk.
  const pending: Planned[] = [];
  await mapLimit(planned, 8, async (p) => {
    emit({ type: 'image-start', reference: p.input });
    try {
      const done = await resolveImage(p);
      if (done) {
        p.result.status = 'saved';
        p.result.upToDate = true;
      } else pending.push(p);
    } catch (error) {
      fail(p, error);
    }
  });

  async function resolveImage(p: Planned): Promise<boolean> {
    let digest = p.ref.digest;
    if (!digest) {
      const head = await client.headManifest(
        p.source,
        p.ref.tag ?? 'latest',
        opts.signal ? { signal: opts.signal } : {},
      );
      if (!head) {
        throw new SaveError(
          'not-found',
          `Image ${p.input} was not found: ${p.ref.registry}/${p.ref.repository} has no tag "${p.ref.tag}".`,
          {
            reference: p.input,
          },
        );
      }
      digest = head.digest;
    }
    // With referrers, a re-run always looks again: signatures may have been added since.
    if (digest && !opts.includeReferrers && (await isComplete(p, digest))) {
      p.result.digest = await storedTopDigest(p, digest);
      return true;
    }
    const top = await loadManifest(p, digest ?? (p.ref.tag as string), true);
    p.topDigest = top.digest;
    const parsed = parseManifest(top.bytes);
    if (parsed.kind === 'index') {
      const children = selectIndexChildren(parsed.manifests, {
        platforms,
        includeAttestations: opts.includeAttestations ?? false,
      });
      if (children.length === 0) {
        const available = parsed.manifests
          .map((m) => (m.platform ? formatPlatform(m.platform) : 'artifact'))
          .join(', ');
        const wanted = platforms === 'all' ? 'any platform' : platforms.map(formatPlatform).join(', ');
        throw new SaveError(
          'platform-not-found',
          `Image ${p.input} has no manifest for ${wanted}; it offers: ${available || 'nothing'}.`,
          {
            reference: p.input,
          },
        );
      }
      for (const child of children) {
        const c = await loadManifest(p, child.digest, false);
        const childParsed = parseManifest(c.bytes, child.mediaType);
        if (childParsed.kind !== 'manifest') {
          throw new SaveError(
            'unsupported-manifest',
            `Image ${p.input} nests an index inside an index, which is not supported.`,
            {
              reference: p.input,
            },
          );
        }
        p.manifests.push(c);
        p.blobs.push(...manifestBlobs(childParsed));
      }
      if (opts.filteredIndex) {
        const filtered = filteredIndexBytes(top.bytes, new Set(children.map((c) => c.digest)), top.digest);
        p.manifests.push(top); // the original stays stored (unlinked) for the up-to-date check
        const fd = digestBytes(filtered);
        p.manifests.push({ digest: fd, bytes: filtered });
        p.result.digest = fd;
      } else {
        p.manifests.push(top);
        p.result.digest = top.digest;
      }
    } else {
      p.manifests.push(top);
      p.blobs.push(...manifestBlobs(parsed));
      p.result.digest = top.digest;
    }
    if (opts.includeReferrers) {
      const subjects = [top.digest, ...p.manifests.map((m) => m.digest).filter((d) => d !== top.digest)];
      await addReferrers(p, subjects);
    }
    const bytes = p.blobs.reduce((n, b) => n + b.size, 0);
    emit({
      type: 'image-resolved',
      reference: p.input,
      digest: top.digest,
      mediaType: parsed.mediaType,
      manifests: p.manifests.length,
      blobs: p.blobs.length,
      bytes,
    });
    return false;
  }

  function sourceTags(p: Planned): Promise<Set<string>> {
    const key = `${p.source.registry}/${p.source.repository}`;
    let tags = tagLists.get(key);
    if (!tags) {
      tags = client.listTags(p.source, opts.signal ? { signal: opts.signal } : {}).then((t) => new Set(t));
      tagLists.set(key, tags);
    }
    return tags;
  }

  /** Adds the referrers of `subjects` (manifests, blobs, tags) to the plan of `p`. */
  async function addReferrers(p: Planned, subjects: readonly string[]): Promise<void> {
    const seen = new Set(p.manifests.map((m) => m.digest));
    const blobSeen = new Set(p.blobs.map((b) => b.digest));
    const signal = opts.signal ? { signal: opts.signal } : {};
    const tags = await sourceTags(p);
    const add = async (digest: string, subject?: string): Promise<boolean> => {
      if (seen.has(digest)) return true;
      const m = await loadManifest(p, digest, false);
      if (subject !== undefined && !refersTo(m.bytes, subject)) return false;
      const parsed = parseManifest(m.bytes);
      const own: { digest: string; bytes: Uint8Array }[] = [];
      const blobs: Descriptor[] = [];
      if (parsed.kind === 'index') {
        for (const child of parsed.manifests) {
          const c = await loadManifest(p, child.digest, false);
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
    for (const subject of subjects) {
      const { fallback, cosign } = referrerTagsOf(subject, tags);
      const api = await client.getReferrers(p.source, subject, signal);
      const apiList = api ? referrerDescriptors(api.bytes, api.mediaType) : undefined;
      if (apiList) {
        for (const d of apiList) await add(d.digest, subject);
        // The target registry has no Referrers API: keep the answer as the fallback tag so clients find it.
        if (apiList.length > 0 && fallback === undefined && api) {
          const digest = digestBytes(api.bytes);
          p.manifests.push({ digest, bytes: api.bytes });
          p.extraTags.push({ tag: referrersFallbackTag(subject) as string, digest });
        }
      }
      if (fallback !== undefined) {
        const idx = await loadManifest(p, fallback, false);
        const list = referrerDescriptors(idx.bytes) ?? [];
        const verified: string[] = [];
        for (const d of list) if (await add(d.digest, subject)) verified.push(d.digest);
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
        const m = await client.getManifest(p.source, tag, signal);
        manifestsFetched++;
        await add(m.digest);
        p.extraTags.push({ tag, digest: m.digest });
      }
    }
  }

  async function loadManifest(
    p: Planned,
    reference: string,
    top: boolean,
  ): Promise<{ digest: string; bytes: Uint8Array }> {
    if (reference.includes(':') && (await storage.hasBlob(reference).catch(() => false))) {
      return { digest: reference, bytes: await storage.readBlobBytes(reference) };
    }
    const m = await client.getManifest(p.source, reference, opts.signal ? { signal: opts.signal } : {});
    manifestsFetched++;
    if (top) parseManifest(m.bytes, m.mediaType); // rejects schema 1 early with a clear error
    return { digest: m.digest, bytes: m.bytes };
  }

  /** True when `digest` (the source's) is fully stored and tagged in the target repository. */
  async function isComplete(p: Planned, digest: string): Promise<boolean> {
    const tagged = p.ref.tag ? await storage.resolveTag(p.repository, p.ref.tag) : digest;
    if (!tagged) return false;
    if (!(await storage.hasBlob(digest))) return false;
    let topBytes = await storage.readBlobBytes(digest);
    if (tagged !== digest) {
      // Filtered mode: the tag points at a filtered index cut from `digest`.
      if (!opts.filteredIndex) return false;
      const stored = await storage.readBlobBytes(tagged).catch(() => undefined);
      if (!stored || annotationOf(stored) !== digest) return false;
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
        platforms,
        includeAttestations: opts.includeAttestations ?? false,
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
        if (b.urls?.length) continue;
        if (
          !(await storage.hasLayerLink(p.repository, b.digest)) ||
          (await storage.blobSize(b.digest)) !== b.size
        )
          return false;
      }
    }
    return true;
  }

  async function storedTopDigest(p: Planned, digest: string): Promise<string> {
    return (p.ref.tag ? await storage.resolveTag(p.repository, p.ref.tag) : undefined) ?? digest;
  }

  // Phase 2: fetch every blob once, largest first.
  const outcomes = new Map<Planned, Promise<{ ok: true } | { ok: false; error: Error }>[]>();
  for (const p of pending) {
    const list = [];
    for (const b of p.blobs) {
      if (b.urls?.length) {
        emit({ type: 'blob-skipped', digest: b.digest, size: b.size, reason: 'foreign' });
        continue;
      }
      list.push(fetcher.fetch({ digest: b.digest, size: b.size, source: p.source }));
    }
    outcomes.set(p, list);
  }
  fetcher.start();

  // Phase 3: per image, once its blobs are in place: manifests, links, tag last.
  await Promise.all(
    pending.map(async (p) => {
      const list = await Promise.all(outcomes.get(p) ?? []);
      const failed = list.find((o) => !o.ok);
      if (failed && !failed.ok) return fail(p, failed.error);
      try {
        for (const m of p.manifests) await storage.writeBlobBytes(m.digest, m.bytes);
        for (const b of p.blobs) {
          if (b.urls?.length) continue;
          if (!(await storage.hasLayerLink(p.repository, b.digest))) {
            await storage.linkLayer(p.repository, b.digest);
            blobsLinked++;
          }
        }
        const top = p.result.digest as string;
        for (const m of p.manifests) {
          // In filtered mode the original index is stored but not linked: it lists children we did not save.
          if (opts.filteredIndex && m.digest === p.topDigest && m.digest !== top && p.manifests.length > 1)
            continue;
          await storage.linkManifest(p.repository, m.digest);
        }
        if (p.ref.tag) await storage.tag(p.repository, p.ref.tag, top);
        for (const t of p.extraTags) await storage.tag(p.repository, t.tag, t.digest);
        p.result.status = 'saved';
      } catch (error) {
        fail(p, error);
      }
    }),
  );

  for (const p of planned) {
    const r = p.result;
    emit({
      type: 'image-done',
      reference: r.reference,
      status: r.status,
      repository: r.repository,
      ...(r.tag ? { tag: r.tag } : {}),
      ...(r.digest ? { digest: r.digest } : {}),
      ...(r.upToDate ? { upToDate: true } : {}),
      ...(r.error ? { error: brief(r.error) } : {}),
    });
  }
  for (const r of results) {
    if (r.status === 'failed' && !planned.some((p) => p.result === r)) {
      emit({
        type: 'image-done',
        reference: r.reference,
        status: 'failed',
        repository: r.repository,
        ...(r.error ? { error: brief(r.error) } : {}),
      });
    }
  }
  if (ownClient) await client.close();
  const saved = results.filter((r) => r.status === 'saved').length;
  return {
    images: results,
    summary: {
      images: results.length,
      saved,
      failed: results.length - saved,
      upToDate: results.filter((r) => r.upToDate).length,
      bytesFetched: fetcher.bytesFetched,
      blobsFetched: fetcher.blobsFetched,
      blobsSkipped: fetcher.blobsSkipped,
      blobsLinked,
      manifestsFetched,
      durationMs: Date.now() - started,
    },
  };
}

function resolvePlatforms(opts: SaveImagesOptions): readonly PlatformSpec[] | 'all' {
  const chosen = [opts.allPlatforms ? 1 : 0, opts.arch ? 1 : 0, opts.platforms?.length ? 1 : 0].reduce(
    (a, b) => a + b,
    0,
  );
  if (chosen > 1) throw new SaveError('invalid-option', 'Choose one of platforms, arch or allPlatforms.');
  if (opts.allPlatforms) return 'all';
  if (opts.arch) return [parsePlatform(`linux/${opts.arch}`)];
  if (opts.platforms?.length)
    return opts.platforms.map((p) => (typeof p === 'string' ? parsePlatform(p) : p));
  return [hostPlatform()];
}

/** The index with only the kept children, annotated with the source index digest (new bytes, new digest). */
function filteredIndexBytes(original: Uint8Array, keep: Set<string>, sourceDigest: string): Uint8Array {
  const doc = JSON.parse(new TextDecoder().decode(original)) as {
    manifests: { digest: string }[];
    annotations?: Record<string, string>;
    mediaType?: string;
  };
  doc.manifests = doc.manifests.filter((m) => keep.has(m.digest));
  doc.annotations = { ...doc.annotations, [SOURCE_INDEX_ANNOTATION]: sourceDigest };
  doc.mediaType ??= MediaType.OciIndex;
  return new TextEncoder().encode(JSON.stringify(doc));
}

function annotationOf(bytes: Uint8Array): string | undefined {
  try {
    return (JSON.parse(new TextDecoder().decode(bytes)) as { annotations?: Record<string, string> })
      .annotations?.[SOURCE_INDEX_ANNOTATION];
  } catch {
    return undefined;
  }
}

function toSaveError(reference: string, error: unknown): SaveError {
  if (error instanceof SaveError) return error;
  if (isRegistryError(error)) {
    const missing = error.code === 'manifest-unknown' || error.code === 'name-unknown';
    const message = missing
      ? `Image ${reference} was not found: ${error.message}`
      : `Image ${reference}: ${error.message}`;
    return new SaveError(error.code === 'aborted' ? 'aborted' : missing ? 'not-found' : 'registry', message, {
      reference,
      cause: error,
    });
  }
  if (error instanceof StorageError)
    return new SaveError('storage', `Image ${reference}: ${error.message}`, { reference, cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new SaveError('registry', `Image ${reference}: ${message}`, { reference, cause: error });
}

function dedupe(images: readonly string[]): string[] {
  return [...new Set(images.map((i) => i.trim()).filter((i) => i !== ''))];
}

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

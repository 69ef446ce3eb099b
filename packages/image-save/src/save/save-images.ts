import type { RegistryAuth } from '../auth/registry-auth.ts';
import { hostPlatform, type PlatformSpec, parsePlatform } from '../platform/platform.ts';
import { RegistryClient } from '../registry/registry-client.ts';
import type { RetryPolicy } from '../registry/retry.ts';
import type { TransportOptions } from '../registry/transport.ts';
import { RegistryStorage } from '../storage/registry-storage.ts';
import { ShortNames } from '../storage/short-names.ts';
import { BlobFetcher, type BlobOutcome, brief } from './blob-fetcher.ts';
import type { SaveEvent, SaveSummary } from './events.ts';
import { planImages } from './plan-images.ts';
import { resolvePlanned } from './resolve-planned.ts';
import type { PlannedImage, SaveContext, SaveImageResult } from './save-context.ts';
import { SaveError } from './save-error.ts';
import { linkShortName } from './short-name-step.ts';
import { toSaveError } from './to-save-error.ts';
import { writeImage } from './write-image.ts';

export type { SaveImageResult } from './save-context.ts';
export { SOURCE_INDEX_ANNOTATION } from './up-to-date.ts';

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
  /**
   * Store under `<registry>/<repository>` instead of `<repository>` (default false). Without it a Docker Hub
   * official image (`mysql`, `docker.io/library/mysql`) is also served under its short name (`mysql`).
   */
  keepRegistryHost?: boolean;
  /**
   * Fetch the images of a registry from a mirror instead, as containers-registries.conf's `mirror`
   * (`{ 'docker.io': 'mirror.local:5000' }`): same repository paths, the mirror's host for TLS, `plainHttp`
   * and credentials; no fallback to the registry itself. Stored names still follow the image's registry.
   */
  registryMirrors?: Readonly<Record<string, string>>;
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

/** What {@link saveImages} returns. */
export interface SaveImagesResult {
  images: SaveImageResult[];
  summary: SaveSummary;
}

/**
 * Saves images and OCI artifacts (Helm charts) into `dir` in the distribution registry's storage
 * layout, so a stock `docker-registry serve` with that root serves every saved tag, digest and blob.
 *
 * Each blob is fetched once across all images and linked into every repository using it; largest
 * blobs first; partial blobs resume after a crash; a re-run of a finished save spends one manifest
 * HEAD per tag. Failures are per image (a bad platform option included): the others are still saved,
 * and the promise rejects only when the signal aborts before the run starts.
 */
export async function saveImages(opts: SaveImagesOptions): Promise<SaveImagesResult> {
  const started = Date.now();
  const emit = (e: SaveEvent) => opts.onEvent?.(e);
  const { planned, results } = planImages(
    opts.images,
    opts.keepRegistryHost ?? false,
    new Map(Object.entries(opts.registryMirrors ?? {})),
  );
  let platforms: readonly PlatformSpec[] | 'all';
  try {
    platforms = resolvePlatforms(opts);
  } catch (error) {
    // Bad platform options fail every image, each with the same clear error.
    for (const p of planned) p.result.error = toSaveError(p.input, error);
    return finish(results, planned, emit, started, undefined, { manifestsFetched: 0, blobsLinked: 0 });
  }
  const ownClient = !opts.client;
  const client =
    opts.client ??
    new RegistryClient({
      ...opts,
      ...(opts.auth === undefined ? {} : { auth: opts.auth }),
      connectionsPerHost: Math.max(opts.concurrency ?? 6, 2),
      onRetry: ({ host, path, attempt, delayMs, error, reference }) =>
        emit({
          type: 'retry',
          host,
          path,
          attempt,
          delayMs,
          ...(reference ? { reference } : {}),
          error: brief(error),
        }),
    });
  const storage = new RegistryStorage(opts.dir);
  const ctx: SaveContext = {
    client,
    storage,
    shortNames: new ShortNames(storage),
    platforms,
    includeAttestations: opts.includeAttestations ?? false,
    includeReferrers: opts.includeReferrers ?? false,
    filteredIndex: opts.filteredIndex ?? false,
    signal: opts.signal,
    emit,
    counters: { manifestsFetched: 0, blobsLinked: 0 },
    tagLists: new Map(),
  };
  const fetcher = new BlobFetcher({
    storage: ctx.storage,
    client,
    concurrency: opts.concurrency ?? 6,
    emit,
    signal: opts.signal,
  });
  try {
    const pending = await resolveAll(ctx, planned);
    const outcomes = enqueueBlobs(fetcher, pending);
    fetcher.start();
    await Promise.all(pending.map((p) => writeWhenFetched(ctx, p, outcomes.get(p) ?? [])));
  } finally {
    if (ownClient) await client.close();
  }
  return finish(results, planned, emit, started, fetcher, ctx.counters);
}

/** Step 2 for every image (8 at a time: manifests are small): the ones still to fetch. */
async function resolveAll(ctx: SaveContext, planned: readonly PlannedImage[]): Promise<PlannedImage[]> {
  const pending: PlannedImage[] = [];
  await mapLimit(planned, 8, async (p) => {
    ctx.emit({ type: 'image-start', reference: p.input });
    try {
      if (await resolvePlanned(ctx, p)) {
        await linkShortName(ctx, p); // a directory saved before short names gets them now
        p.result.status = 'saved';
        p.result.upToDate = true;
      } else pending.push(p);
    } catch (error) {
      p.result.error = toSaveError(p.input, error);
    }
  });
  return pending;
}

/** Step 3: every blob of every image into the fetcher (each digest once, across images). */
function enqueueBlobs(fetcher: BlobFetcher, pending: readonly PlannedImage[]) {
  const outcomes = new Map<PlannedImage, Promise<BlobOutcome>[]>();
  for (const p of pending) {
    outcomes.set(
      p,
      p.blobs.map((b) => fetcher.fetch({ digest: b.digest, size: b.size, source: p.source })),
    );
  }
  return outcomes;
}

/** Step 4 once the image's blobs are in: write it, or fail it naming the blob that failed. */
async function writeWhenFetched(
  ctx: SaveContext,
  p: PlannedImage,
  blobs: Promise<BlobOutcome>[],
): Promise<void> {
  const list = await Promise.all(blobs);
  const failed = list.find((o) => !o.success);
  if (failed && !failed.success) {
    p.result.error = toSaveError(p.input, failed.error);
    return;
  }
  try {
    await writeImage(ctx, p);
    p.result.status = 'saved';
  } catch (error) {
    p.result.error = toSaveError(p.input, error);
  }
}

/** Step 5: one `image-done` event per input, and the summary. */
function finish(
  results: SaveImageResult[],
  planned: readonly PlannedImage[],
  emit: (e: SaveEvent) => void,
  started: number,
  fetcher: BlobFetcher | undefined,
  counters: SaveContext['counters'],
): SaveImagesResult {
  for (const p of planned) if (p.result.error) p.result.status = 'failed';
  for (const r of results) {
    emit({
      type: 'image-done',
      reference: r.reference,
      status: r.status,
      repository: r.repository,
      ...(r.tag ? { tag: r.tag } : {}),
      ...(r.shortName && r.status === 'saved' ? { shortName: r.shortName } : {}),
      ...(r.digest && r.status === 'saved' ? { digest: r.digest } : {}),
      ...(r.upToDate ? { upToDate: true } : {}),
      ...(r.error ? { error: brief(r.error) } : {}),
    });
  }
  const saved = results.filter((r) => r.status === 'saved').length;
  return {
    images: results,
    summary: {
      images: results.length,
      saved,
      failed: results.length - saved,
      upToDate: results.filter((r) => r.upToDate).length,
      bytesFetched: fetcher?.bytesFetched ?? 0,
      blobsFetched: fetcher?.blobsFetched ?? 0,
      blobsSkipped: fetcher?.blobsSkipped ?? 0,
      blobsLinked: counters.blobsLinked,
      manifestsFetched: counters.manifestsFetched,
      durationMs: Date.now() - started,
    },
  };
}

function resolvePlatforms(opts: SaveImagesOptions): readonly PlatformSpec[] | 'all' {
  const chosen = [opts.allPlatforms, opts.arch, opts.platforms?.length].filter(Boolean).length;
  if (chosen > 1) throw new SaveError('INVALID_OPTION', 'choose one of platforms, arch or allPlatforms');
  if (opts.allPlatforms) return 'all';
  if (opts.arch) return [parsePlatform(`linux/${opts.arch}`)];
  if (opts.platforms?.length)
    return opts.platforms.map((p) => (typeof p === 'string' ? parsePlatform(p) : p));
  return [hostPlatform()];
}

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

import {
  formatImageHubName,
  type ImageHubName,
  imageHubLabelSelector,
  imageMetadataName,
} from '@hub/api-types';
import { toHubError } from '@hub/api-types/errors';
import { type ImageInspection, inspectImage, isInspectError } from '@hub/image-save';
import type { RegistryAuth } from '@hub/image-save/auth';
import { RegistryClient } from '@hub/image-save/registry';
import { RegistryStorage } from '@hub/image-save/storage';
import { catalogueName } from './catalogue-name.ts';
import { isFreshIndex, isUpToDate, type LiveImage } from './image-diff.ts';
import {
  buildIndexedImage,
  INDEX_FIELD_MANAGER,
  type IndexedImage,
  indexFingerprint,
  MANAGED_BY_LABEL,
} from './image-object.ts';
import type { ImageStore } from './image-store.ts';
import { type IndexSource, type IndexTarget, listTargets } from './index-sources.ts';
import { type ReadmeOverrides, readmeFor } from './readme-overrides.ts';

/** What happened to one tag. */
export type ImageIndexStatus = 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';

/** Events of {@link indexImages}, in order: `listed`, then `image` per tag, then `pruned`. */
export type IndexEvent =
  | { type: 'listed'; images: number; repositories: number }
  | {
      type: 'image';
      reference: string;
      status: ImageIndexStatus;
      /** `org/repo:tag`. */
      name?: string;
      metadataName?: string;
      digest?: string;
      bytesRead?: number;
      error?: { code: string; message: string };
    }
  | { type: 'pruned'; name: string; metadataName: string; dryRun: boolean };

/** The totals of a run (`{"type":"summary",...}` with --json). */
export interface IndexSummary {
  images: number;
  /** created + updated (+ pruned): the writes made, or that a dry run would make. */
  changed: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  pruned: number;
  /** Compressed layer bytes read looking for READMEs. */
  bytesRead: number;
  durationMs: number;
  dryRun: boolean;
}

/** Options of {@link indexImages}. */
export interface IndexImagesOptions {
  source: IndexSource;
  /** Where Images are written; required unless `dryRun` (a dry run without one compares with nothing). */
  store?: ImageStore;
  readme?: ReadmeOverrides;
  /** `os/arch` to describe in multi-platform images (default linux/amd64, else the first). */
  platform?: string;
  /** `spec.type` of every Image (`cluster-image`, `cloud-image`). */
  type?: string;
  /** Delete hub-index's Images whose tags are gone from the source (only in repositories listed completely). */
  prune?: boolean;
  /** Write nothing; report (and return) what would be applied and deleted. */
  dryRun?: boolean;
  /** Images inspected at once (default 4). */
  concurrency?: number;
  plainHttp?: readonly string[];
  auth?: RegistryAuth | false;
  client?: RegistryClient;
  signal?: AbortSignal;
  onEvent?: (event: IndexEvent) => void;
}

/** One tag's outcome. */
export interface ImageIndexResult {
  reference: string;
  status: ImageIndexStatus;
  name?: string;
  /** The Image as applied (or as a dry run would apply it). */
  object?: IndexedImage;
  error?: { code: string; message: string };
}

/** What {@link indexImages} returns. */
export interface IndexImagesResult {
  summary: IndexSummary;
  images: ImageIndexResult[];
  /** Images deleted by `prune` (or that a dry run would delete), by metadata.name. */
  pruned: string[];
  /** Repositories that could not be listed. */
  listFailures: { repository: string; error: { code: string; message: string } }[];
}

interface Planned {
  target: IndexTarget;
  name: ImageHubName;
  result: ImageIndexResult;
}

/**
 * Indexes a source into Images: every tag is inspected (config + README streamed from the top
 * layer), turned into an Image, compared with the live one and server-side applied only when it
 * differs, so a second run over an unchanged source makes no writes. Failures are per image.
 */
export async function indexImages(options: IndexImagesOptions): Promise<IndexImagesResult> {
  const started = Date.now();
  const emit = (e: IndexEvent) => options.onEvent?.(e);
  const concurrency = options.concurrency ?? 4;
  const ownClient = !options.client;
  const client =
    options.client ??
    new RegistryClient({
      ...(options.plainHttp ? { plainHttp: options.plainHttp } : {}),
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      connectionsPerHost: Math.max(concurrency, 2),
      userAgent: 'hub-index',
    });
  try {
    return await run(options, client, concurrency, emit, started);
  } finally {
    if (ownClient) await client.close();
  }
}

/** What the steps of one run share. */
interface IndexRun {
  options: IndexImagesOptions;
  client: RegistryClient;
  concurrency: number;
  emit: (e: IndexEvent) => void;
  signal: AbortSignal | undefined;
  /** The source directory's storage, for `--dir` (tags resolve from link files). */
  storage: RegistryStorage | undefined;
}

/** A catalogue repository (`org/repo`) and whether the source listed it completely (then it may be pruned). */
type CatalogueRepos = Map<string, { organization: string; repository: string; complete: boolean }>;

/** hub-index's Images in the catalogue repositories: by metadata.name, and by repository. */
interface LiveImages {
  byName: Map<string, LiveImage>;
  byRepository: Map<string, LiveImage[]>;
}

async function run(
  options: IndexImagesOptions,
  client: RegistryClient,
  concurrency: number,
  emit: (e: IndexEvent) => void,
  started: number,
): Promise<IndexImagesResult> {
  const { signal } = options;
  const storage = options.source.kind === 'dir' ? new RegistryStorage(options.source.dir) : undefined;
  const context: IndexRun = { options, client, concurrency, emit, signal, storage };
  const listed = await listTargets(options.source, { client, ...(signal ? { signal } : {}) });
  const { results, planned } = planTargets(listed.targets);
  emit({ type: 'listed', images: listed.targets.length, repositories: listed.complete.size });
  const repositories = catalogueRepositories(planned, listed);
  const live = await listLiveImages(context, repositories);
  let bytesRead = 0;
  await pool(planned, concurrency, async (p) => {
    bytesRead += await indexOne(context, live, p);
  });
  for (const r of results)
    if (r.status === 'failed' && !planned.some((p) => p.result === r)) emit(imageEvent(r));
  const pruned = await pruneGone(context, repositories, live, results);
  return {
    summary: summarize(results, pruned, listed.failures.length, bytesRead, started, options.dryRun === true),
    images: results,
    pruned,
    listFailures: listed.failures.map((f) => ({ repository: f.repository, error: brief(f.error) })),
  };
}

/**
 * A result per listed tag, and the tags to index: those the catalogue can name, each catalogue name once
 * (a second source tag that would be catalogued under the same name fails, naming the first).
 */
function planTargets(targets: readonly IndexTarget[]): { results: ImageIndexResult[]; planned: Planned[] } {
  const results: ImageIndexResult[] = [];
  const planned: Planned[] = [];
  const byName = new Map<string, string>();
  for (const target of targets) {
    const result: ImageIndexResult = { reference: target.reference, status: 'failed' };
    results.push(result);
    try {
      const name = catalogueName(target.repository, target.tag);
      const key = formatImageHubName(name);
      result.name = key;
      const other = byName.get(key);
      if (other !== undefined) {
        result.error = {
          code: 'NOT_CATALOGUABLE',
          message: `${target.reference} and ${other} are both catalogued as ${key}; index only one (narrow --repository).`,
        };
        continue;
      }
      byName.set(key, target.reference);
      planned.push({ target, name, result });
    } catch (error) {
      result.error = brief(error);
    }
  }
  return { results, planned };
}

function repoKey(n: { organization: string; repository: string }): string {
  return `${n.organization}/${n.repository}`;
}

/** The catalogue repositories the run touches; complete only when every source repository behind one was listed. */
function catalogueRepositories(
  planned: readonly Planned[],
  listed: Awaited<ReturnType<typeof listTargets>>,
): CatalogueRepos {
  const repositories: CatalogueRepos = new Map();
  for (const p of planned) repositories.set(repoKey(p.name), { ...p.name, complete: false });
  for (const repository of listed.complete) {
    try {
      const n = catalogueName(repository, 'latest');
      const entry = repositories.get(repoKey(n)) ?? { ...n, complete: true };
      entry.complete = true;
      repositories.set(repoKey(n), entry);
    } catch {
      // A repository the catalogue cannot name has no Images to prune.
    }
  }
  for (const failure of listed.failures) {
    try {
      const entry = repositories.get(repoKey(catalogueName(failure.repository, 'latest')));
      if (entry) entry.complete = false;
    } catch {
      // Not a catalogue repository either way.
    }
  }
  return repositories;
}

/** Live Images, one list per catalogue repository (none without a store). */
async function listLiveImages(context: IndexRun, repositories: CatalogueRepos): Promise<LiveImages> {
  const live: LiveImages = { byName: new Map(), byRepository: new Map() };
  const { store } = context.options;
  if (!store) return live;
  await pool([...repositories.entries()], context.concurrency, async ([key, repo]) => {
    const items = await store.list(
      imageHubLabelSelector({ organization: repo.organization, repository: repo.repository }),
      context.signal,
    );
    // Overflowed label values are candidates only: confirm with spec.name.
    const mine = items.filter((i) => i.spec?.name?.startsWith(`${key}:`));
    live.byRepository.set(key, mine);
    for (const item of mine) if (item.metadata?.name) live.byName.set(item.metadata.name, item);
  });
  return live;
}

/** What an Image's fingerprint is made of besides the top digest. */
function fingerprintInputs(options: IndexImagesOptions, p: Planned) {
  const readme = readmeFor(options.readme, p.target, p.name);
  return { source: p.target.source, platform: options.platform, type: options.type, readme };
}

/** Indexes one tag, recording its outcome in `p.result` and emitting its event; returns the bytes read. */
async function indexOne(context: IndexRun, live: LiveImages, p: Planned): Promise<number> {
  context.signal?.throwIfAborted();
  if (await isStillFresh(context, live, p)) {
    p.result.status = 'unchanged';
    context.emit(imageEvent(p.result));
    return 0;
  }
  const inspection = await inspectTarget(context, p);
  if (!inspection) {
    context.emit(imageEvent(p.result));
    return 0;
  }
  await applyInspection(context, live, p, inspection);
  context.emit({ ...imageEvent(p.result), digest: inspection.digest, bytesRead: inspection.scan.bytesRead });
  return inspection.scan.bytesRead;
}

/** The fast path: the tag still points at the digest the live Image was made from, with the same inputs. */
async function isStillFresh(context: IndexRun, live: LiveImages, p: Planned): Promise<boolean> {
  const current = live.byName.get(imageMetadataName(p.name));
  if (!current) return false;
  const top = await topDigest(p.target, context.client, context.storage, context.signal).catch(
    () => undefined,
  );
  return (
    top !== undefined &&
    top !== '' &&
    isFreshIndex(current, indexFingerprint({ topDigest: top, ...fingerprintInputs(context.options, p) }))
  );
}

/** The tag's config and README; on failure `undefined`, with the error (and `skipped` for non-images) recorded. */
async function inspectTarget(context: IndexRun, p: Planned): Promise<ImageInspection | undefined> {
  const { options, signal } = context;
  try {
    return await inspectImage(p.target.reference, {
      client: context.client,
      ...(options.source.kind === 'dir' ? { storageDir: options.source.dir } : {}),
      ...(options.platform ? { platform: options.platform } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (isInspectError(error) && error.code === 'NOT_AN_IMAGE') p.result.status = 'skipped';
    p.result.error = brief(error);
    return undefined;
  }
}

/** Builds the Image and applies it only when it differs from the live one (never over another name's Image). */
async function applyInspection(
  context: IndexRun,
  live: LiveImages,
  p: Planned,
  inspection: ImageInspection,
): Promise<void> {
  const { options } = context;
  try {
    const inputs = fingerprintInputs(options, p);
    const desired = buildIndexedImage(inspection, {
      name: p.name,
      source: p.target.source,
      fingerprint: indexFingerprint({ topDigest: inspection.indexDigest ?? inspection.digest, ...inputs }),
      ...(inputs.readme !== undefined ? { readme: inputs.readme } : {}),
      ...(options.type ? { type: options.type } : {}),
    });
    p.result.object = desired;
    const current = live.byName.get(desired.metadata.name);
    if (current && current.spec?.name !== desired.spec.name) {
      p.result.error = {
        code: 'NOT_CATALOGUABLE',
        message: `Image ${desired.metadata.name} already describes ${current.spec?.name}; not overwriting it with ${desired.spec.name}.`,
      };
    } else if (isUpToDate(current, desired)) {
      p.result.status = 'unchanged';
    } else {
      if (!options.dryRun) await (options.store as ImageStore).apply(desired, context.signal);
      p.result.status = current ? 'updated' : 'created';
    }
  } catch (error) {
    p.result.error = brief(error);
  }
}

/** With `prune`: deletes hub-index's Images whose tags are gone, only in completely listed repositories. */
async function pruneGone(
  context: IndexRun,
  repositories: CatalogueRepos,
  live: LiveImages,
  results: readonly ImageIndexResult[],
): Promise<string[]> {
  const { options } = context;
  const pruned: string[] = [];
  if (!options.prune || !options.store) return pruned;
  const keep = new Set(results.map((r) => r.name).filter((n): n is string => n !== undefined));
  for (const [key, repo] of repositories) {
    if (!repo.complete) continue;
    for (const item of live.byRepository.get(key) ?? []) {
      const name = item.spec?.name ?? '';
      if (keep.has(name) || item.metadata?.labels?.[MANAGED_BY_LABEL] !== INDEX_FIELD_MANAGER) continue;
      if (!options.dryRun) await options.store.delete(item, context.signal);
      pruned.push(item.metadata?.name ?? '');
      context.emit({
        type: 'pruned',
        name,
        metadataName: item.metadata?.name ?? '',
        dryRun: options.dryRun === true,
      });
    }
  }
  return pruned;
}

function summarize(
  results: readonly ImageIndexResult[],
  pruned: readonly string[],
  listFailures: number,
  bytesRead: number,
  started: number,
  dryRun: boolean,
): IndexSummary {
  const count = (s: ImageIndexStatus) => results.filter((r) => r.status === s).length;
  const created = count('created');
  const updated = count('updated');
  return {
    images: results.length,
    changed: created + updated + pruned.length,
    created,
    updated,
    unchanged: count('unchanged'),
    skipped: count('skipped'),
    failed: count('failed') + listFailures,
    pruned: pruned.length,
    bytesRead,
    durationMs: Date.now() - started,
    dryRun,
  };
}

/** The digest a target's tag points at now: one HEAD (no pull quota), or a link file in a directory. */
async function topDigest(
  target: IndexTarget,
  client: RegistryClient,
  storage: RegistryStorage | undefined,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  if (storage) return storage.resolveTag(target.repository, target.tag);
  const at = target.reference.lastIndexOf('@');
  if (at !== -1) return target.reference.slice(at + 1);
  const registry = target.source.slice(0, target.source.indexOf('/'));
  const head = await client.headManifest(
    { registry, repository: target.repository },
    target.tag,
    signal ? { signal } : {},
  );
  return head?.digest;
}

function imageEvent(r: ImageIndexResult): Extract<IndexEvent, { type: 'image' }> {
  return {
    type: 'image',
    reference: r.reference,
    status: r.status,
    ...(r.name ? { name: r.name } : {}),
    ...(r.object ? { metadataName: r.object.metadata.name } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

function brief(error: unknown): { code: string; message: string } {
  const e = toHubError(error);
  return { code: e.code, message: e.message };
}

/** Runs `work` over `items` with at most `limit` at once; the first rejection stops the rest. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

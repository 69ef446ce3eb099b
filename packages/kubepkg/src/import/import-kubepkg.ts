import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { parseImageReference } from '@hub/api-types';
import { DOCKER_HUB, dockerHubShortName } from '@hub/image-save';
import { parseManifest, RegistryClient, type RegistryClientOptions } from '@hub/image-save/registry';
import { isValidRepositoryName, isValidTag, RegistryStorage, ShortNames } from '@hub/image-save/storage';
import { type ArchiveLimits, readKubePkgArchive } from '../archive/read-archive.ts';
import { KubePkgError } from '../errors.ts';
import { RepositoryOrigins } from '../origins/repository-origins.ts';
import type { DigestMeta, KubePkg, KubePkgList } from '../spec/kubepkg-schema.ts';
import { kubePkgsOf } from '../spec/safe-parse.ts';
import { CommitQueue } from './commit-queue.ts';
import { manifestPushError } from './push-failure.ts';

/** Where {@link importKubePkg} puts the content. */
export type ImportTarget =
  | { dir: string }
  | { registry: string; client?: RegistryClient | RegistryClientOptions };

/** Progress of {@link importKubePkg}. */
export type ImportEvent =
  | { type: 'spec'; packages: string[]; blobs: number }
  | { type: 'blob'; digest: string; size: number; written: boolean }
  | { type: 'linked'; repositories: number; tags: number };

/** Options for {@link importKubePkg}. */
export interface ImportKubePkgOptions extends ArchiveLimits {
  signal?: AbortSignal;
  onEvent?: (event: ImportEvent) => void;
}

/** What an import did. */
export interface ImportKubePkgResult {
  document: KubePkg | KubePkgList;
  /** Blob entries read from the archive. */
  blobs: number;
  /** Of those, how many were new to the target. */
  written: number;
  /** `<repository>:<tag>` (or `@digest`) of every tagged top-level descriptor. */
  tags: string[];
}

/**
 * Imports a kubepkg archive (path or stream, gzip or plain) in one streaming pass, verifying every
 * blob's digest and size:
 * - `{ dir }`: into a distribution storage directory. Blobs are written as they arrive (invisible:
 *   nothing links to them); only once the whole archive has verified are the `_layers` links (in
 *   every repository using a blob), revision links and finally tags written.
 * - `{ registry }`: pushed over the distribution API, skipping blobs the registry has; manifests and
 *   tags are pushed only after the archive verified.
 * Re-importing is idempotent. Blobs the archive leaves out (incremental packages) must already be on
 * the target, else the import fails with ARCHIVE_MISSING_BLOB before anything is linked.
 */
export async function importKubePkg(
  source: string | Readable | AsyncIterable<Uint8Array>,
  target: ImportTarget,
  options: ImportKubePkgOptions = {},
): Promise<ImportKubePkgResult> {
  const input =
    typeof source === 'string' ? createReadStream(source, { highWaterMark: 1024 * 1024 }) : source;
  return 'dir' in target ? importToDir(input, target.dir, options) : importToRegistry(input, target, options);
}

/** Every digests entry of the document, validated for use as storage paths. */
function planOf(document: KubePkg | KubePkgList): { entries: DigestMeta[]; sizes: Map<string, number> } {
  const entries = kubePkgsOf(document).flatMap((pkg) => pkg.status?.digests ?? []);
  const sizes = new Map<string, number>();
  for (const entry of entries) {
    if (!isValidRepositoryName(entry.name)) {
      throw new KubePkgError(
        'ARCHIVE_INVALID',
        `status.digests names repository "${entry.name}", which is not a valid name.`,
        {
          subject: entry.name,
        },
      );
    }
    if (entry.tag !== undefined && !isValidTag(entry.tag)) {
      throw new KubePkgError(
        'ARCHIVE_INVALID',
        `status.digests has tag "${entry.tag}", which is not a valid tag.`,
        {
          subject: entry.tag,
        },
      );
    }
    const known = sizes.get(entry.digest);
    if (known !== undefined && known !== entry.size) {
      throw new KubePkgError('ARCHIVE_INVALID', `status.digests lists ${entry.digest} with two sizes.`, {
        subject: entry.digest,
      });
    }
    sizes.set(entry.digest, entry.size);
  }
  return { entries, sizes };
}

const WRITE_BEHIND_BYTES = 8 * 1024 * 1024;

/**
 * Order of manifest writes: untagged first, then tagged platform children (octohelm kubepkg tags each child of
 * an index with the index's tag), then the rest, so that where a child and its index share a tag the index,
 * written last, is what the tag names. Stable otherwise.
 */
function tagOrder(a: DigestMeta, b: DigestMeta): number {
  const rank = (e: DigestMeta) => (e.tag === undefined ? 0 : e.platform !== undefined ? 1 : 2);
  return rank(a) - rank(b);
}

/** One error naming every missing blob (the first ten and the count). */
function missingBlobs(missing: string[], where: string): KubePkgError {
  const shown = missing.slice(0, 10).join(', ');
  const more = missing.length > 10 ? ` and ${missing.length - 10} more` : '';
  return new KubePkgError(
    'ARCHIVE_MISSING_BLOB',
    `${missing.length} blob${missing.length === 1 ? ' is' : 's are'} neither in the archive nor ${where}: ${shown}${more}. Export again without --since/--inventory, or import the base package first.`,
    { subject: missing[0] as string, detail: { missing } },
  );
}

/** A storage failure as the import reports it: a mismatch means a corrupt archive, anything else IMPORT_FAILED. */
function storeError(cause: unknown, digest: string, dir: string): KubePkgError {
  const code = String((cause as { code?: unknown }).code ?? '')
    .toUpperCase()
    .replace('-', '_');
  if (code === 'DIGEST_MISMATCH' || code === 'SIZE_MISMATCH') {
    return new KubePkgError(
      code === 'DIGEST_MISMATCH' ? 'ARCHIVE_DIGEST_MISMATCH' : 'ARCHIVE_SIZE_MISMATCH',
      `Entry "blobs/${digest.replace(':', '/')}" ${code === 'DIGEST_MISMATCH' ? 'does not hash to its name' : 'has the wrong size'}; the archive is corrupt or tampered with.`,
      { subject: digest, cause },
    );
  }
  return new KubePkgError(
    'IMPORT_FAILED',
    `Could not store blob ${digest} under ${dir}: ${(cause as Error).message}`,
    {
      subject: digest,
      cause,
    },
  );
}

/** Passes chunks through and remembers an error thrown by the archive reader (e.g. a digest mismatch). */
function watched(content: AsyncIterable<Uint8Array>): {
  stream: AsyncIterable<Uint8Array>;
  error: () => unknown;
} {
  let failure: unknown;
  return {
    stream: (async function* () {
      try {
        yield* content;
      } catch (error) {
        failure = error;
        throw error;
      }
    })(),
    error: () => failure,
  };
}

async function importToDir(
  source: Readable | AsyncIterable<Uint8Array>,
  dir: string,
  options: ImportKubePkgOptions,
) {
  const storage = new RegistryStorage(dir);
  const commits = new CommitQueue(4);
  let plan: ReturnType<typeof planOf> | undefined;
  let written = 0;
  const result = await readKubePkgArchive(
    source,
    {
      onSpec: (document) => {
        plan = planOf(document);
        options.onEvent?.({
          type: 'spec',
          packages: kubePkgsOf(document).map((p) => p.metadata.name),
          blobs: plan.sizes.size,
        });
        return plan.sizes;
      },
      onBlob: async ({ digest, size, content, sinkVerified }) => {
        if ((await storage.blobSize(digest)) === size) {
          // Already stored: still read (and so verify) the entry, so a tampered archive fails as a whole.
          for await (const _ of content) void _;
          options.onEvent?.({ type: 'blob', digest, size, written: false });
          return;
        }
        // The storage writer hashes what it writes and refuses a mismatch before the rename, so the
        // reader need not hash it a second time. Its commit (fsync, rename) overlaps the next entry.
        const { stream, error } = watched(sinkVerified);
        const upload = await storage.beginBlob(digest, { size, resume: false });
        try {
          // Write-behind: the next chunks are read (gunzip, tar) while earlier ones are still being
          // written, up to WRITE_BEHIND_BYTES in flight; writes stay in order on one chain.
          let chain = Promise.resolve();
          let inflight = 0;
          for await (const chunk of stream) {
            options.signal?.throwIfAborted();
            inflight += chunk.byteLength;
            chain = chain.then(async () => {
              await upload.write(chunk);
              inflight -= chunk.byteLength;
            });
            chain.catch(() => undefined); // observed by the next `await chain`; never an unhandled rejection
            if (inflight > WRITE_BEHIND_BYTES) await chain;
          }
          await chain;
        } catch (cause) {
          await upload.abort();
          throw error() ?? storeError(cause, digest, dir);
        }
        await commits.add(
          upload.commit().then(
            () => {
              written += 1;
              options.onEvent?.({ type: 'blob', digest, size, written: true });
            },
            (cause: unknown) => {
              throw storeError(cause, digest, dir);
            },
          ),
        );
      },
    },
    options,
  ).catch(async (error: unknown) => {
    await commits.settle();
    throw error;
  });
  await commits.drain();
  const { entries, sizes } = plan ?? planOf(result.document);
  const missing: string[] = [];
  for (const [digest, size] of sizes) if ((await storage.blobSize(digest)) !== size) missing.push(digest);
  if (missing.length > 0) throw missingBlobs(missing, `already under ${dir}`);
  const origins = importedOrigins(result.document);
  const shortNames = new ShortNames(storage);
  const linkShortNames = await plannedShortNames(shortNames, entries, origins, dir);
  // Links only now, after every blob verified: blobs first, then manifests, tags last.
  for (const entry of entries) if (entry.type === 'blob') await storage.linkLayer(entry.name, entry.digest);
  for (const entry of entries)
    if (entry.type === 'manifest') await storage.linkManifest(entry.name, entry.digest);
  const tags: string[] = [];
  for (const entry of [...entries].sort(tagOrder)) {
    if (entry.type === 'manifest' && entry.tag) {
      await storage.tag(entry.name, entry.tag, entry.digest);
      if (!tags.includes(`${entry.name}:${entry.tag}`)) tags.push(`${entry.name}:${entry.tag}`);
    }
  }
  // Docker Hub short names once their repository is complete, as hub-save links them.
  for (const [name, repository] of linkShortNames)
    await shortNames.link(name, repository).catch((cause: unknown) => {
      throw new KubePkgError('IMPORT_FAILED', `Could not link ${name} to ${repository} under ${dir}.`, {
        subject: name,
        cause,
      });
    });
  // Last, once everything is visible: a failed import must not vouch for a host (see RepositoryOrigins).
  const records = new RepositoryOrigins(dir);
  for (const [repository, hosts] of origins) {
    await records.add(repository, hosts).catch((cause: unknown) => {
      throw new KubePkgError(
        'IMPORT_FAILED',
        `Could not record where ${repository} came from under ${dir}.`,
        {
          subject: repository,
          cause,
        },
      );
    });
  }
  options.onEvent?.({
    type: 'linked',
    repositories: new Set(entries.map((e) => e.name)).size,
    tags: tags.length,
  });
  return { document: result.document, blobs: result.blobs.length, written, tags };
}

/**
 * The Docker Hub short names this import links (`mysql` → `library/mysql`, for a repository its packages'
 * `spec.images` name on Docker Hub), checked before anything is linked: a short name the directory holds
 * from another registry, or an imported one-component repository that is a Docker Hub short name there,
 * would mix two registries' tags, and is refused.
 */
async function plannedShortNames(
  shortNames: ShortNames,
  entries: readonly DigestMeta[],
  origins: ReadonlyMap<string, ReadonlySet<string>>,
  dir: string,
): Promise<Map<string, string>> {
  const planned = new Map<string, string>();
  for (const [repository, hosts] of origins) {
    const name = hosts.has(DOCKER_HUB) ? dockerHubShortName(DOCKER_HUB, repository) : undefined;
    if (name === undefined) continue;
    if ((await shortNames.state(name, repository)) === 'taken')
      throw new KubePkgError(
        'REPOSITORY_COLLISION',
        `${repository} comes from Docker Hub and is also served as its short name ${name}, but ${dir} already has a repository ${name} from another registry; export the package with --keep-host, or import into another directory.`,
        { subject: name },
      );
    planned.set(name, repository);
  }
  for (const name of new Set(entries.map((e) => e.name))) {
    if (name.includes('/')) continue;
    const shortOf = planned.get(name) ?? (await shortNames.recorded(name));
    if (shortOf !== undefined)
      throw new KubePkgError(
        'REPOSITORY_COLLISION',
        `The package stores ${name} from another registry, but ${name} is the Docker Hub short name of ${shortOf}${planned.has(name) ? ' in the same package' : ` in ${dir}`}; export the package with --keep-host, or import into another directory.`,
        { subject: name },
      );
  }
  return planned;
}

/**
 * Repositories stored without their host (the default export) and the hosts the packages' `spec.images`
 * name for them: `docker.io/library/nginx:1` stored as `library/nginx` came from `docker.io`. Names that
 * keep their host (`--keep-host`, octohelm archives) say it themselves and need no record.
 */
function importedOrigins(document: KubePkg | KubePkgList): Map<string, Set<string>> {
  const origins = new Map<string, Set<string>>();
  for (const pkg of kubePkgsOf(document)) {
    const stored = new Set((pkg.status?.digests ?? []).map((d) => d.name));
    for (const reference of Object.keys(pkg.spec.images ?? {})) {
      const parsed = parseImageReference(reference);
      if (!parsed.success || !stored.has(parsed.data.repository)) continue;
      const hosts = origins.get(parsed.data.repository) ?? new Set<string>();
      hosts.add(parsed.data.registry);
      origins.set(parsed.data.repository, hosts);
    }
  }
  return origins;
}

async function importToRegistry(
  source: Readable | AsyncIterable<Uint8Array>,
  target: { registry: string; client?: RegistryClient | RegistryClientOptions },
  options: ImportKubePkgOptions,
): Promise<ImportKubePkgResult> {
  const owned = !(target.client instanceof RegistryClient);
  const client =
    target.client instanceof RegistryClient ? target.client : new RegistryClient(target.client ?? {});
  const signal = options.signal ? { signal: options.signal } : {};
  try {
    let plan: ReturnType<typeof planOf> | undefined;
    const manifestDigests = new Set<string>();
    const manifests = new Map<string, Uint8Array>();
    const reposOf = new Map<string, string[]>();
    let written = 0;
    const result = await readKubePkgArchive(
      source,
      {
        onSpec: (document) => {
          plan = planOf(document);
          for (const entry of plan.entries) {
            if (entry.type === 'manifest') manifestDigests.add(entry.digest);
            else reposOf.set(entry.digest, [...new Set([...(reposOf.get(entry.digest) ?? []), entry.name])]);
          }
          options.onEvent?.({
            type: 'spec',
            packages: kubePkgsOf(document).map((p) => p.metadata.name),
            blobs: plan.sizes.size,
          });
          return plan.sizes;
        },
        onBlob: async ({ digest, size, content }) => {
          if (manifestDigests.has(digest)) {
            // Manifests are pushed after the whole archive verified; they are small (limit 4 MiB).
            const chunks: Uint8Array[] = [];
            let length = 0;
            for await (const chunk of content) {
              length += chunk.length;
              if (length > 4 * 1024 * 1024)
                throw new KubePkgError('ARCHIVE_OVERSIZE_ENTRY', `Manifest ${digest} is over 4 MiB.`, {
                  subject: digest,
                });
              chunks.push(chunk);
            }
            manifests.set(digest, Buffer.concat(chunks));
            return;
          }
          const [first, ...others] = reposOf.get(digest) ?? [];
          if (!first) return;
          const loc = { registry: target.registry, repository: first };
          const { stream, error } = watched(content);
          try {
            const { uploaded } = await client.putBlob(loc, digest, stream, { size, ...signal });
            if (uploaded) written += 1;
            options.onEvent?.({ type: 'blob', digest, size, written: uploaded });
          } catch (cause) {
            const original = error();
            if (original !== undefined) throw original;
            throw new KubePkgError(
              'IMPORT_FAILED',
              `Could not push blob ${digest} to ${target.registry}/${first}.`,
              {
                subject: digest,
                cause,
              },
            );
          }
          // The stream was read once; other repositories get the blob by cross-repository mount.
          for (const repository of others) {
            const other = { registry: target.registry, repository };
            if (!(await client.headBlob(other, digest, signal)))
              await client.mountBlob(other, digest, first, signal);
          }
        },
      },
      options,
    );
    const { entries } = plan ?? planOf(result.document);
    const missing: string[] = [];
    for (const entry of entries) {
      if (entry.type !== 'blob') continue;
      const loc = { registry: target.registry, repository: entry.name };
      if (!(await client.headBlob(loc, entry.digest, signal)))
        missing.push(`${entry.digest} (${entry.name})`);
    }
    if (missing.length > 0) throw missingBlobs(missing, `in ${target.registry}`);
    // Children (untagged) before the tagged top-level manifests that reference them.
    const ordered = entries.filter((e) => e.type === 'manifest').sort(tagOrder);
    const tags: string[] = [];
    for (const entry of ordered) {
      const bytes = manifests.get(entry.digest);
      if (!bytes)
        throw new KubePkgError(
          'ARCHIVE_MISSING_BLOB',
          `Manifest ${entry.digest} is missing from the archive.`,
          { subject: entry.digest },
        );
      const loc = { registry: target.registry, repository: entry.name };
      const mediaType = entry.mediaType ?? parseManifest(bytes).mediaType;
      try {
        await client.putManifest(loc, entry.tag ?? entry.digest, bytes, mediaType, signal);
      } catch (cause) {
        throw manifestPushError(
          { ...loc, digest: entry.digest, tag: entry.tag, bytes, mediaType, carried: manifestDigests },
          cause,
        );
      }
      if (entry.tag && !tags.includes(`${entry.name}:${entry.tag}`)) tags.push(`${entry.name}:${entry.tag}`);
    }
    options.onEvent?.({
      type: 'linked',
      repositories: new Set(entries.map((e) => e.name)).size,
      tags: tags.length,
    });
    return { document: result.document, blobs: result.blobs.length, written, tags };
  } finally {
    if (owned) await client.close();
  }
}

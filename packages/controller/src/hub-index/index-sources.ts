import { parseImageReference } from '@hub/api-types';
import type { RegistryClient } from '@hub/image-save/registry';
import { RegistryStorage } from '@hub/image-save/storage';
import { catalogueRepositories } from './catalogue-name.ts';
import { IndexError } from './index-error.ts';
import { matchesAny } from './repository-glob.ts';

/** Where hub-index reads images from. */
export type IndexSource =
  | { kind: 'registry'; registry: string; repositories?: readonly string[] }
  | { kind: 'dir'; dir: string; repositories?: readonly string[] }
  | { kind: 'refs'; refs: readonly string[] };

/** One tag to index. */
export interface IndexTarget {
  /** What `inspectImage` is given (`127.0.0.1:5000/team/app:v1`, or `team/app:v1` for a directory). */
  reference: string;
  /** The repository path at the source (`team/app`, `library/nginx`). */
  repository: string;
  tag: string;
  /** Where it was read, for the Image's source annotation. */
  source: string;
}

/** The targets of a source, plus the repositories that could not be listed (never pruned). */
export interface ListedTargets {
  targets: IndexTarget[];
  /** Repositories whose tag list was read completely. */
  complete: Set<string>;
  failures: { repository: string; error: IndexError }[];
}

/** Lists every tag of a source: `_catalog` and `tags/list` (paginated), a storage directory, or references. */
export async function listTargets(
  source: IndexSource,
  deps: { client: RegistryClient; signal?: AbortSignal },
): Promise<ListedTargets> {
  const out: ListedTargets = { targets: [], complete: new Set(), failures: [] };
  const { signal } = deps;
  if (source.kind === 'refs') {
    for (const ref of source.refs) {
      const parsed = parseImageReference(ref);
      if (!parsed.success) {
        out.failures.push({
          repository: ref,
          error: new IndexError(
            'INVALID_ARGUMENT',
            `"${ref}" is not an image reference: ${parsed.error.message}`,
            {
              reference: ref,
            },
          ),
        });
        continue;
      }
      const { registry, repository, tag, digest } = parsed.data;
      if (tag === undefined && digest !== undefined) {
        out.failures.push({
          repository: ref,
          error: new IndexError(
            'INVALID_ARGUMENT',
            `"${ref}" names a digest but no tag; the catalogue names images org/repo:tag, so write repo:tag@digest.`,
            { reference: ref },
          ),
        });
        continue;
      }
      out.targets.push({
        reference: ref,
        repository,
        tag: tag ?? 'latest',
        source: `${registry}/${repository}:${tag ?? 'latest'}`,
      });
    }
    return out;
  }
  const wanted = matchesAny(source.repositories ?? []);
  if (source.kind === 'dir') {
    const storage = new RegistryStorage(source.dir);
    let repositories: string[];
    try {
      repositories = await storage.listRepositories();
    } catch (cause) {
      throw new IndexError(
        'SOURCE_LIST_FAILED',
        `Cannot list repositories in ${source.dir}; is it a hub-save directory?`,
        {
          cause,
        },
      );
    }
    for (const repository of catalogueRepositories(repositories.filter(wanted)).sort()) {
      try {
        for (const tag of (await storage.listTags(repository)).sort())
          out.targets.push({
            reference: `${repository}:${tag}`,
            repository,
            tag,
            source: `dir:${source.dir}#${repository}:${tag}`,
          });
        out.complete.add(repository);
      } catch (cause) {
        out.failures.push({ repository, error: listError(repository, source.dir, cause) });
      }
    }
    return out;
  }
  let repositories: string[];
  try {
    repositories = await deps.client.catalog(source.registry, {
      pageSize: 100,
      ...(signal ? { signal } : {}),
    });
  } catch (cause) {
    throw new IndexError(
      'SOURCE_LIST_FAILED',
      `Cannot read the catalog of ${source.registry} (GET /v2/_catalog): ${(cause as Error).message}`,
      { cause, retryable: (cause as { retryable?: unknown }).retryable === true },
    );
  }
  const chosen = catalogueRepositories([...new Set(repositories.filter(wanted))]).sort();
  await Promise.all(
    chosen.map(async (repository) => {
      try {
        const tags = await deps.client.listTags(
          { registry: source.registry, repository },
          { pageSize: 100, ...(signal ? { signal } : {}) },
        );
        for (const tag of [...new Set(tags)].sort())
          out.targets.push({
            reference: `${source.registry}/${repository}:${tag}`,
            repository,
            tag,
            source: `${source.registry}/${repository}:${tag}`,
          });
        out.complete.add(repository);
      } catch (cause) {
        out.failures.push({ repository, error: listError(repository, source.registry, cause) });
      }
    }),
  );
  out.targets.sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
  return out;
}

function listError(repository: string, where: string, cause: unknown): IndexError {
  return new IndexError(
    'SOURCE_LIST_FAILED',
    `Cannot list the tags of ${repository} in ${where}: ${(cause as Error)?.message ?? String(cause)}`,
    { cause, reference: repository, retryable: (cause as { retryable?: unknown })?.retryable === true },
  );
}

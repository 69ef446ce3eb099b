// Listings: a repository's tags and the registry's catalog, following `Link` pagination.
import type { RegistryRequester, SendOptions } from './registry-requester.ts';
import type { RepositoryLocation } from './registry-types.ts';
import { header, pullScope } from './response-helpers.ts';

/** Every tag of a repository, following `Link` pagination. */
export async function listTags(
  req: RegistryRequester,
  loc: RepositoryLocation,
  opts: { pageSize?: number; signal?: AbortSignal } = {},
): Promise<string[]> {
  return paginate(
    req,
    loc.registry,
    `/v2/${loc.repository}/tags/list?n=${opts.pageSize ?? 1000}`,
    'tags',
    [pullScope(loc.repository)],
    opts.signal,
    loc.repository,
  );
}

/** Every repository name from `_catalog`, following `Link` pagination. */
export async function catalog(
  req: RegistryRequester,
  registry: string,
  opts: { pageSize?: number; signal?: AbortSignal } = {},
): Promise<string[]> {
  return paginate(
    req,
    registry,
    `/v2/_catalog?n=${opts.pageSize ?? 1000}`,
    'repositories',
    ['registry:catalog:*'],
    opts.signal,
  );
}

async function paginate(
  req: RegistryRequester,
  registry: string,
  first: string,
  field: 'tags' | 'repositories',
  scopes: string[],
  signal: AbortSignal | undefined,
  repository?: string,
): Promise<string[]> {
  const out: string[] = [];
  let path: string | undefined = first;
  for (let page = 0; path && page < 10_000; page++) {
    const o: SendOptions = {
      method: 'GET',
      scopes,
      signal,
      ok: [200],
      what: field === 'tags' ? 'the tag list' : 'the catalog',
      ...(repository ? { repository } : {}),
    };
    const { body, res } = await req.request(req.url(registry, path), o, true, registry, async (res) => ({
      body: (await res.body.json()) as Record<string, unknown>,
      res,
    }));
    const items = body[field];
    if (Array.isArray(items)) for (const t of items) if (typeof t === 'string') out.push(t);
    const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(res, 'link') ?? '');
    path = link?.[1]
      ? new URL(link[1], 'http://x').pathname + new URL(link[1], 'http://x').search
      : undefined;
  }
  return out;
}

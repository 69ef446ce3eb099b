import { IMAGE_HUB_KEYWORDS, lookupKeyword } from '@hub/api-types';
import type { CatalogueReader } from '../catalogue/catalogue-reader.ts';
import { type RepositoryAccess, repositoryVisibility } from '../catalogue/repository-visibility.ts';
import { DataPackError } from '../errors.ts';
import { type RepositoryItem, repositoryItem } from './repository-item.ts';

export type RepositorySort = 'name' | 'updated';

/** A repository search. Every given filter must match (AND). */
export interface RepositoryQuery {
  /** Case-insensitive substring of `org/repo`. */
  q?: string | undefined;
  /** Keywords the repository must all have (case-insensitive). */
  keywords?: readonly string[] | undefined;
  /** Only this organization's repositories. */
  organization?: string | undefined;
  /** `name` ascending (default) or `updated`, newest first. */
  sort?: RepositorySort | undefined;
  /** Page size, 1..100 (default 24). */
  limit?: number | undefined;
  /** `nextCursor` of the previous page of the same query. */
  cursor?: string | undefined;
}

export interface RepositoryPage {
  items: RepositoryItem[];
  /** Matches of the whole query, over all pages. */
  total: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface SearchOptions {
  /** Admits private repositories for this caller; without it, private repositories are left out. */
  access?: RepositoryAccess | undefined;
}

export const DEFAULT_PAGE_SIZE = 24;
export const MAX_PAGE_SIZE = 100;

// A keyset cursor: the sort key of the last item shown, so pages neither skip nor repeat items
// when repositories are added or removed between requests.
interface Cursor {
  s: RepositorySort;
  u: number;
  n: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(value: string, sort: RepositorySort): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const c = parsed as Partial<Cursor> | undefined;
  if (typeof c !== 'object' || c === null || typeof c.n !== 'string' || typeof c.u !== 'number') {
    throw new DataPackError(
      'INVALID_CURSOR',
      'cursor is not one this server issued; start again without it.',
      {
        field: 'cursor',
      },
    );
  }
  if (c.s !== sort) {
    throw new DataPackError('INVALID_CURSOR', `cursor belongs to sort=${String(c.s)}, not sort=${sort}.`, {
      field: 'cursor',
    });
  }
  return { s: sort, u: c.u, n: c.n };
}

function updatedMs(item: RepositoryItem): number {
  const ms = item.updated === null ? 0 : Date.parse(item.updated);
  return Number.isNaN(ms) ? 0 : ms;
}

function compareBy(sort: RepositorySort): (a: Cursor, b: Cursor) => number {
  const byName = (a: Cursor, b: Cursor): number => (a.n < b.n ? -1 : a.n > b.n ? 1 : 0);
  if (sort === 'name') return byName;
  return (a, b) => b.u - a.u || byName(a, b);
}

/** Checks a search's inputs before any work; throws INVALID_REQUEST naming the field. */
export function validateRepositoryQuery(query: RepositoryQuery): void {
  const { limit, sort } = query;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)) {
    throw new DataPackError('INVALID_REQUEST', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`, {
      field: 'limit',
    });
  }
  if (sort !== undefined && sort !== 'name' && sort !== 'updated') {
    throw new DataPackError('INVALID_REQUEST', 'sort must be "name" or "updated".', { field: 'sort' });
  }
  for (const keyword of query.keywords ?? []) {
    if (keyword.trim() === '' || keyword.length > 63) {
      throw new DataPackError(
        'INVALID_REQUEST',
        `keyword must be a non-empty word of at most 63 characters, e.g. ${IMAGE_HUB_KEYWORDS.slice(0, 3).join(', ')}.`,
        { field: 'keyword' },
      );
    }
  }
}

/**
 * Searches the catalogue: substring of `org/repo`, keywords (AND), organization; sorted by name or
 * last update; keyset-paginated with the total. Private repositories need `options.access`.
 */
export function searchRepositories(
  catalogue: CatalogueReader,
  query: RepositoryQuery = {},
  options: SearchOptions = {},
): RepositoryPage {
  validateRepositoryQuery(query);
  const sort = query.sort ?? 'name';
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const after =
    query.cursor === undefined || query.cursor === '' ? undefined : decodeCursor(query.cursor, sort);
  const keywords = (query.keywords ?? []).map((k) => (lookupKeyword(k) ?? k.trim()).toLowerCase());
  const needle = query.q?.trim().toLowerCase() ?? '';

  // Start from the most selective index, then filter the rest.
  const [first, ...others] = keywords;
  const candidates = catalogue.repositories({ organization: query.organization, keyword: first });
  const matches: { item: RepositoryItem; key: Cursor }[] = [];
  const visible = repositoryVisibility(catalogue, options.access);
  for (const repository of candidates) {
    if (needle !== '' && !repository.spec.name.toLowerCase().includes(needle)) continue;
    if (!visible(repository.spec.name)) continue;
    if (others.length > 0) {
      const own = new Set(catalogue.keywords(repository.spec.name).map((k) => k.toLowerCase()));
      if (!others.every((k) => own.has(k))) continue;
    }
    const item = repositoryItem(repository, catalogue);
    matches.push({ item, key: { s: sort, u: updatedMs(item), n: item.name } });
  }
  const compare = compareBy(sort);
  matches.sort((a, b) => compare(a.key, b.key));
  const start = after === undefined ? 0 : matches.findIndex((m) => compare(m.key, after) > 0);
  const page = start < 0 ? [] : matches.slice(start, start + limit);
  const last = page.at(-1);
  const more = start >= 0 && start + limit < matches.length;
  return {
    items: page.map((m) => m.item),
    total: matches.length,
    nextCursor: more && last !== undefined ? encodeCursor(last.key) : null,
  };
}

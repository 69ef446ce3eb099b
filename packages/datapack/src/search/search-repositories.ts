import { IMAGE_HUB_KEYWORDS, lookupKeyword } from '@hub/api-types';
import type { CatalogueReader } from '../catalogue/catalogue-reader.ts';
import { type RepositoryAccess, repositoryVisibility } from '../catalogue/repository-visibility.ts';
import { DataPackError } from '../errors.ts';
import { type RepositoryItem, repositoryDocs, repositoryItem } from './repository-item.ts';

/** `relevance` ranks name matches first, then keyword, description and README matches (needs `q`). */
export type RepositorySort = 'name' | 'updated' | 'downloads' | 'relevance';

const SORTS: readonly RepositorySort[] = ['name', 'updated', 'downloads', 'relevance'];

/** A repository search. Every given filter must match (AND). */
export interface RepositoryQuery {
  /**
   * Case-insensitive text: a repository matches when `org/repo`, a keyword, the description or
   * the README contains it.
   */
  q?: string | undefined;
  /** Keywords the repository must all have (case-insensitive). */
  keywords?: readonly string[] | undefined;
  /** Only this organization's repositories. */
  organization?: string | undefined;
  /**
   * `name` ascending, `updated` newest first, `downloads` most pulled first, `relevance` best
   * match first; default `relevance` with `q`, else `name`. Ties go by name.
   */
  sort?: RepositorySort | undefined;
  /** Page size, 1..100 (default 24). */
  limit?: number | undefined;
  /** `nextCursor` or `prevCursor` of a page of the same query. */
  cursor?: string | undefined;
}

export interface RepositoryPage {
  items: RepositoryItem[];
  /** Matches of the whole query, over all pages. */
  total: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Pass as `cursor` for the page before; null on the first page. */
  prevCursor: string | null;
  /** How many matches come before this page (for "41–60 of 100" and page numbers). */
  offset: number;
}

export interface SearchOptions {
  /** Admits private repositories for this caller; without it, private repositories are left out. */
  access?: RepositoryAccess | undefined;
}

export const DEFAULT_PAGE_SIZE = 24;
export const MAX_PAGE_SIZE = 100;

// A keyset cursor: the sort key of the last item shown (or, going back, the first), so pages
// neither skip nor repeat items when repositories are added or removed between requests.
interface Cursor {
  s: RepositorySort;
  u: number;
  n: string;
  /** `b`: the page before this key; absent: the page after it. */
  d?: 'b';
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
  return { s: sort, u: c.u, n: c.n, ...(c.d === 'b' ? { d: 'b' as const } : {}) };
}

function updatedMs(item: RepositoryItem): number {
  const ms = item.updated === null ? 0 : Date.parse(item.updated);
  return Number.isNaN(ms) ? 0 : ms;
}

function compareBy(sort: RepositorySort): (a: Cursor, b: Cursor) => number {
  const byName = (a: Cursor, b: Cursor): number => (a.n < b.n ? -1 : a.n > b.n ? 1 : 0);
  if (sort === 'name') return byName;
  // updated, downloads and relevance: the larger number first.
  return (a, b) => b.u - a.u || byName(a, b);
}

// Lower-cased READMEs, kept while the same string is the README (a README is up to 256 KiB, and
// lower-casing it on every search would cost more than the match).
const loweredDocs = new Map<string, { docs: string; lower: string }>();

function lowerDocs(name: string, docs: string | null): string {
  if (docs === null) return '';
  const cached = loweredDocs.get(name);
  if (cached !== undefined && cached.docs === docs) return cached.lower;
  const lower = docs.toLowerCase();
  loweredDocs.set(name, { docs, lower });
  if (loweredDocs.size > 100_000) loweredDocs.delete(loweredDocs.keys().next().value as string);
  return lower;
}

/** How well a repository matches `needle` (lower-case): 0 is no match; a name match outranks every other. */
function relevance(item: RepositoryItem, docs: string | null, needle: string): number {
  if (needle === '') return 1;
  const name = item.name.toLowerCase();
  let score = 0;
  if (name.includes(needle)) score += name === needle || name.endsWith(`/${needle}`) ? 16 : 8;
  if (item.keywords.some((k) => k.toLowerCase().includes(needle))) score += 4;
  if (item.description?.toLowerCase().includes(needle)) score += 2;
  if (lowerDocs(item.name, docs).includes(needle)) score += 1;
  return score;
}

/** Checks a search's inputs before any work; throws INVALID_REQUEST naming the field. */
export function validateRepositoryQuery(query: RepositoryQuery): void {
  const { limit, sort } = query;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)) {
    throw new DataPackError('INVALID_REQUEST', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`, {
      field: 'limit',
    });
  }
  if (sort !== undefined && !SORTS.includes(sort)) {
    throw new DataPackError('INVALID_REQUEST', `sort must be one of ${SORTS.join(', ')}.`, { field: 'sort' });
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
 * Searches the catalogue: text in names, keywords, descriptions and READMEs (ranked, names first),
 * keywords (AND), organization; sorted by relevance, name, last update or downloads; keyset-paginated
 * both ways with the total. Private repositories need `options.access`.
 */
export function searchRepositories(
  catalogue: CatalogueReader,
  query: RepositoryQuery = {},
  options: SearchOptions = {},
): RepositoryPage {
  validateRepositoryQuery(query);
  const needle = query.q?.trim().toLowerCase() ?? '';
  const sort = query.sort ?? (needle === '' ? 'name' : 'relevance');
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const cursor =
    query.cursor === undefined || query.cursor === '' ? undefined : decodeCursor(query.cursor, sort);
  const keywords = (query.keywords ?? []).map((k) => (lookupKeyword(k) ?? k.trim()).toLowerCase());

  // Start from the most selective index, then filter the rest.
  const [first, ...others] = keywords;
  const candidates = catalogue.repositories({ organization: query.organization, keyword: first });
  const matches: { item: RepositoryItem; key: Cursor }[] = [];
  const visible = repositoryVisibility(catalogue, options.access);
  for (const repository of candidates) {
    if (!visible(repository.spec.name)) continue;
    if (others.length > 0) {
      const own = new Set(catalogue.keywords(repository.spec.name).map((k) => k.toLowerCase()));
      if (!others.every((k) => own.has(k))) continue;
    }
    const item = repositoryItem(repository, catalogue);
    const score = needle === '' ? 1 : relevance(item, repositoryDocs(repository, catalogue), needle);
    if (score === 0) continue;
    const u = sort === 'updated' ? updatedMs(item) : sort === 'downloads' ? item.downloadCount : score;
    matches.push({ item, key: { s: sort, u: sort === 'name' ? 0 : u, n: item.name } });
  }
  const compare = compareBy(sort);
  matches.sort((a, b) => compare(a.key, b.key));
  // The first match past the cursor's key (after), or the first one at or past it (before).
  const boundary = (key: Cursor, inclusive: boolean): number => {
    const index = matches.findIndex((m) => (inclusive ? compare(m.key, key) >= 0 : compare(m.key, key) > 0));
    return index < 0 ? matches.length : index;
  };
  let start = 0;
  let end = Math.min(limit, matches.length);
  if (cursor?.d === 'b') {
    end = boundary(cursor, true);
    start = Math.max(0, end - limit);
  } else if (cursor !== undefined) {
    start = boundary(cursor, false);
    end = Math.min(start + limit, matches.length);
  }
  const page = matches.slice(start, end);
  const head = page[0];
  const last = page.at(-1);
  const back = (key: Cursor): string => encodeCursor({ s: key.s, u: key.u, n: key.n, d: 'b' });
  const forward = (key: Cursor): string => encodeCursor({ s: key.s, u: key.u, n: key.n });
  return {
    items: page.map((m) => m.item),
    total: matches.length,
    nextCursor: end < matches.length && last !== undefined ? forward(last.key) : null,
    prevCursor: start > 0 ? back(head?.key ?? (cursor as Cursor)) : null,
    offset: start,
  };
}

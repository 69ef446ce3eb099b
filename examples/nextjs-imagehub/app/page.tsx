import { type RepositoryPage, UI_KEYWORDS } from '@hub/datapack';
import Link from 'next/link';
import { RepoCard } from '../components/repo-card.tsx';
import { hubGet } from '../lib/hub.ts';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const PAGE_SIZE = 12;
const SORTS = ['relevance', 'name', 'updated', 'downloads'] as const;
type Sort = (typeof SORTS)[number];

// The API's own default: best match first when searching, else by name.
function defaultSort(q: string | undefined): Sort {
  return q ? 'relevance' : 'name';
}

function all(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function one(value: string | string[] | undefined): string | undefined {
  return all(value)[0];
}

/** The store URL for a query; keywords repeat (`?keyword=Database&keyword=MQ`). */
function storeHref(query: {
  q?: string | undefined;
  keywords: string[];
  sort?: string | undefined;
  cursor?: string;
}) {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  for (const keyword of query.keywords) params.append('keyword', keyword);
  if (query.sort && query.sort !== defaultSort(query.q)) params.set('sort', query.sort);
  if (query.cursor) params.set('cursor', query.cursor);
  const text = params.toString();
  return text ? `/?${text}` : '/';
}

export default async function StorePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const q = one(params.q)?.trim() || undefined;
  const keywords = all(params.keyword).filter((k) => k !== '');
  const asked = one(params.sort);
  const sort: Sort = SORTS.find((s) => s === asked) ?? defaultSort(q);
  const cursor = one(params.cursor);

  const api = new URLSearchParams({ limit: String(PAGE_SIZE), sort });
  if (q) api.set('q', q);
  for (const keyword of keywords) api.append('keyword', keyword);
  if (cursor) api.set('cursor', cursor);
  const result = await hubGet<RepositoryPage>(`/repositories?${api}`);
  const first = result.offset + 1;
  const page = Math.floor(result.offset / PAGE_SIZE) + 1;
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));

  return (
    <>
      <section className="search">
        <form action="/" method="get">
          <input
            type="search"
            name="q"
            defaultValue={q ?? ''}
            placeholder="Search repositories, e.g. mysql"
            aria-label="Search repositories"
          />
          {keywords.map((k) => (
            <input key={k} type="hidden" name="keyword" value={k} />
          ))}
          <select name="sort" defaultValue={sort} aria-label="Sort">
            <option value="relevance">Best match</option>
            <option value="name">Name</option>
            <option value="updated">Recently updated</option>
            <option value="downloads">Most pulled</option>
          </select>
          <button type="submit">Search</button>
        </form>
        <nav className="keywords" aria-label="Keyword filters">
          {UI_KEYWORDS.map((keyword) => {
            const active = keywords.includes(keyword);
            const next = active ? keywords.filter((k) => k !== keyword) : [...keywords, keyword];
            return (
              <Link
                key={keyword}
                href={storeHref({ q, keywords: next, sort })}
                className={active ? 'chip active' : 'chip'}
                aria-current={active ? 'true' : undefined}
                data-keyword={keyword}
              >
                {keyword}
              </Link>
            );
          })}
        </nav>
      </section>

      {result.items.length === 0 ? (
        <div className="empty" data-testid="empty">
          <h2>No repositories found</h2>
          <p>
            {q || keywords.length > 0
              ? 'Nothing matches this search. Try fewer keywords or a shorter name.'
              : 'The catalogue is empty: push an image and index it with hub-index.'}
          </p>
          {(q || keywords.length > 0) && <Link href="/">Clear the search</Link>}
        </div>
      ) : (
        <>
          <p className="count" data-testid="count">
            {first}–{first + result.items.length - 1} of {result.total}{' '}
            {result.total === 1 ? 'repository' : 'repositories'}
          </p>
          <ul className="grid" data-testid="grid">
            {result.items.map((item) => (
              <li key={item.name}>
                <RepoCard item={item} />
              </li>
            ))}
          </ul>
          <nav className="pager" aria-label="Pages">
            {result.prevCursor !== null && (
              <Link href={storeHref({ q, keywords, sort, cursor: result.prevCursor })} rel="prev">
                « Previous page
              </Link>
            )}
            <span data-testid="page">
              Page {page} of {pages}
            </span>
            {result.nextCursor !== null && (
              <Link href={storeHref({ q, keywords, sort, cursor: result.nextCursor })} rel="next">
                Next page »
              </Link>
            )}
          </nav>
        </>
      )}
    </>
  );
}

import type { RepositoryPage } from '@hub/datapack';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { MembersForm } from '../../../components/members-form.tsx';
import { RepoCard } from '../../../components/repo-card.tsx';
import { currentUser, HubApiError, hubGet } from '../../../lib/hub.ts';

export const dynamic = 'force-dynamic';

interface OrganizationView {
  name: string;
  creator: string | null;
  managers: string[];
  repos: string[];
}

const PAGE_SIZE = 24;

export default async function OrganizationPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { org } = await params;
  const asked = (await searchParams).cursor;
  const cursor = Array.isArray(asked) ? asked[0] : asked;
  let organization: OrganizationView;
  try {
    organization = await hubGet<OrganizationView>(`/organizations/${encodeURIComponent(org)}`);
  } catch (error) {
    if (error instanceof HubApiError && error.status === 404) notFound();
    throw error;
  }
  const [repositories, session] = await Promise.all([
    hubGet<RepositoryPage>(
      `/repositories?${new URLSearchParams({ org, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) })}`,
    ),
    currentUser(),
  ]);

  return (
    <article>
      <h1>{organization.name}</h1>
      <p className="muted">
        created by {organization.creator ?? 'unknown'} · managers:{' '}
        {organization.managers.length > 0 ? organization.managers.join(', ') : 'none'}
      </p>
      {repositories.items.length === 0 ? (
        <div className="empty" data-testid="empty">
          <h2>No repositories yet</h2>
          <p>
            Push an image to <code>{organization.name}/…</code> and index it.{' '}
            <Link href="/">Back to the store</Link>
          </p>
        </div>
      ) : (
        <>
          <ul className="grid" data-testid="grid">
            {repositories.items.map((item) => (
              <li key={item.name}>
                <RepoCard item={item} />
              </li>
            ))}
          </ul>
          <nav className="pager" aria-label="Pages">
            {repositories.prevCursor !== null && (
              <Link
                href={`/o/${organization.name}?cursor=${encodeURIComponent(repositories.prevCursor)}`}
                rel="prev"
              >
                « Previous page
              </Link>
            )}
            <span data-testid="page">
              Page {Math.floor(repositories.offset / PAGE_SIZE) + 1} of{' '}
              {Math.max(1, Math.ceil(repositories.total / PAGE_SIZE))}
            </span>
            {repositories.nextCursor !== null && (
              <Link
                href={`/o/${organization.name}?cursor=${encodeURIComponent(repositories.nextCursor)}`}
                rel="next"
              >
                Next page »
              </Link>
            )}
          </nav>
        </>
      )}
      {session && <MembersForm organization={organization.name} managers={organization.managers} />}
    </article>
  );
}

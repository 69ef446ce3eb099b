import type { RepositoryDetail } from '@hub/datapack';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CopyButton } from '../../../../components/copy-button.tsx';
import { DeleteTagButton } from '../../../../components/delete-tag-button.tsx';
import { Markdown } from '../../../../components/markdown.tsx';
import { RepoIcon } from '../../../../components/repo-icon.tsx';
import { formatBytes, formatTime, registryHost } from '../../../../lib/format.ts';
import { currentUser, HubApiError, hubGet } from '../../../../lib/hub.ts';

export const dynamic = 'force-dynamic';

type Params = Promise<{ org: string; repo: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org, repo } = await params;
  return { title: `${org}/${repo} · Image hub` };
}

async function load(org: string, repo: string): Promise<RepositoryDetail> {
  try {
    return await hubGet<RepositoryDetail>(
      `/repositories/${encodeURIComponent(org)}/${encodeURIComponent(repo)}`,
    );
  } catch (error) {
    if (error instanceof HubApiError && error.status === 404) notFound();
    throw error;
  }
}

export default async function RepositoryPage({ params }: { params: Params }) {
  const { org, repo } = await params;
  const [detail, session] = await Promise.all([load(org, repo), currentUser()]);
  const tag = detail.latestTag?.name;
  const pull = tag === undefined ? undefined : `docker pull ${registryHost()}/${detail.name}:${tag}`;

  return (
    <article className="detail">
      <header className="detail-head">
        <RepoIcon name={detail.name} icon={detail.icon} size={72} />
        <div>
          <h1>
            {detail.name}
            {detail.isPrivate && <span className="badge">private</span>}
          </h1>
          <p className="muted">
            by <Link href={`/o/${detail.organization}`}>{detail.organization}</Link> · {detail.tagCount}{' '}
            {detail.tagCount === 1 ? 'tag' : 'tags'} · updated {formatTime(detail.updated)}
          </p>
          {detail.description && <p>{detail.description}</p>}
          <ul className="card-keywords">
            {detail.keywords.map((k) => (
              <li key={k}>
                <Link href={`/?keyword=${encodeURIComponent(k)}`}>{k}</Link>
              </li>
            ))}
          </ul>
          {session && (
            <p className="actions">
              <Link href={`/r/${detail.name}/edit`}>Edit</Link>
            </p>
          )}
        </div>
      </header>

      {pull && (
        <div className="pull" data-testid="pull">
          <code>{pull}</code>
          <CopyButton text={pull} />
        </div>
      )}

      <div className="columns">
        <section className="readme">
          <h2>README</h2>
          {detail.docs ? (
            <Markdown source={detail.docs} />
          ) : (
            <p className="muted">This image has no README.md.</p>
          )}
        </section>
        <aside>
          <h2>Tags</h2>
          {detail.tags.length === 0 ? (
            <p className="muted">No tags yet.</p>
          ) : (
            <table className="tags" data-testid="tags">
              <thead>
                <tr>
                  <th>Tag</th>
                  <th>Created</th>
                  <th>Size</th>
                  <th>Platforms</th>
                  <th>Pushed</th>
                </tr>
              </thead>
              <tbody>
                {detail.tags.flatMap((t) => {
                  const byTag = `docker pull ${registryHost()}/${detail.name}:${t.name}`;
                  const byDigest =
                    t.digest === undefined
                      ? undefined
                      : `docker pull ${registryHost()}/${detail.name}@${t.digest}`;
                  return [
                    <tr key={t.name} data-tag={t.name}>
                      <td>
                        <span className="tag">{t.name}</span>
                      </td>
                      <td>{formatTime(t.creatTime)}</td>
                      <td>{formatBytes(t.size)}</td>
                      <td>{t.platforms?.join(', ') ?? '—'}</td>
                      <td>{formatTime(t.pushTime)}</td>
                    </tr>,
                    <tr key={`${t.name}-pull`} className="pull-row" data-testid="tag-pull">
                      <td colSpan={5}>
                        <code>{byTag}</code> <CopyButton text={byTag} />
                        {session && <DeleteTagButton repository={detail.name} tag={t.name} />}
                        {byDigest && (
                          <>
                            <br />
                            <code>{byDigest}</code> <CopyButton text={byDigest} />
                          </>
                        )}
                      </td>
                    </tr>,
                  ];
                })}
              </tbody>
            </table>
          )}
        </aside>
      </div>
    </article>
  );
}

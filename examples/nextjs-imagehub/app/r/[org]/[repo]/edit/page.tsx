import type { RepositoryDetail } from '@hub/datapack';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { RepositoryEditForm } from '../../../../../components/repository-edit-form.tsx';
import { currentUser, HubApiError, hubGet } from '../../../../../lib/hub.ts';

export const dynamic = 'force-dynamic';

type Params = Promise<{ org: string; repo: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org, repo } = await params;
  return { title: `Edit ${org}/${repo} · Image hub` };
}

export default async function EditRepositoryPage({ params }: { params: Params }) {
  const { org, repo } = await params;
  if ((await currentUser()) === null) redirect('/login');
  let detail: RepositoryDetail;
  try {
    detail = await hubGet<RepositoryDetail>(
      `/repositories/${encodeURIComponent(org)}/${encodeURIComponent(repo)}`,
    );
  } catch (error) {
    if (error instanceof HubApiError && error.status === 404) notFound();
    throw error;
  }
  return (
    <article className="narrow">
      <h1>
        Edit <Link href={`/r/${detail.name}`}>{detail.name}</Link>
      </h1>
      <RepositoryEditForm
        initial={{
          name: detail.name,
          description: detail.description ?? '',
          keywords: detail.keywords,
          docs: detail.docs ?? '',
          isPrivate: detail.isPrivate,
        }}
      />
    </article>
  );
}

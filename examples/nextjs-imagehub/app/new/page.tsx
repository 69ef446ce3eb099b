import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { NewImageForm } from '../../components/new-image-form.tsx';
import { currentUser } from '../../lib/hub.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New image · Image hub' };

export default async function NewImagePage() {
  if ((await currentUser()) === null) redirect('/login');
  return (
    <article className="narrow">
      <h1>New image</h1>
      <p className="muted">
        Describe an image of an organization you manage; hub-index fills in the rest once it is pushed.
      </p>
      <NewImageForm />
    </article>
  );
}

'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { hubWrite } from './hub-fetch.ts';

export interface RepositoryEditValues {
  name: string;
  description: string;
  keywords: string[];
  docs: string;
  isPrivate: boolean;
}

/**
 * Edits a repository's details, README and visibility with the signed-in user's rights: the
 * apiserver (RBAC, admission) decides, and its reason is shown when it refuses.
 */
export function RepositoryEditForm({ initial }: { initial: RepositoryEditValues }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [org, repo] = initial.name.split('/');
  const path = `/repositories/${encodeURIComponent(org ?? '')}/${encodeURIComponent(repo ?? '')}`;
  return (
    <form
      className="form"
      onSubmit={async (event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const keywords = String(data.get('keywords') ?? '')
          .split(',')
          .map((k) => k.trim())
          .filter((k) => k !== '');
        // Only what changed becomes an override: an untouched README keeps following hub-index.
        const edits: Record<string, unknown> = {};
        const description = String(data.get('description') ?? '');
        const docs = String(data.get('docs') ?? '');
        const isPrivate = data.get('isPrivate') === 'on';
        if (description !== initial.description) edits.description = description;
        if (keywords.join(',') !== initial.keywords.join(',')) edits.keywords = keywords;
        if (docs !== initial.docs) edits.docs = docs;
        if (isPrivate !== initial.isPrivate) edits.isPrivate = isPrivate;
        if (Object.keys(edits).length === 0) {
          router.push(`/r/${initial.name}`);
          return;
        }
        setBusy(true);
        const failure = await hubWrite('PATCH', path, edits);
        setBusy(false);
        setError(failure);
        if (failure === null) {
          router.push(`/r/${initial.name}`);
          router.refresh();
        }
      }}
    >
      <label htmlFor="description">Description</label>
      <input
        id="description"
        name="description"
        type="text"
        defaultValue={initial.description}
        maxLength={4096}
      />
      <label htmlFor="keywords">Keywords (comma-separated)</label>
      <input id="keywords" name="keywords" type="text" defaultValue={initial.keywords.join(', ')} />
      <label htmlFor="docs">README (Markdown)</label>
      <textarea id="docs" name="docs" rows={12} defaultValue={initial.docs} />
      <div className="checkbox">
        <input id="isPrivate" name="isPrivate" type="checkbox" defaultChecked={initial.isPrivate} />
        <label htmlFor="isPrivate">Private: only the organization's managers can see and pull it</label>
      </div>
      {error && (
        <p role="alert" className="alert" data-testid="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Save
      </button>
    </form>
  );
}

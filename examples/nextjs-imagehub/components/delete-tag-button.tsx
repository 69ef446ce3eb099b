'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { hubWrite } from './hub-fetch.ts';

/** Deletes one tag (its Image) with the signed-in user's rights; the apiserver's refusal is shown. */
export function DeleteTagButton({ repository, tag }: { repository: string; tag: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [org, repo] = repository.split('/');
  return (
    <>
      <button
        type="button"
        className="link-danger"
        aria-label={`Delete tag ${tag}`}
        onClick={async () => {
          if (!window.confirm(`Delete ${repository}:${tag}?`)) return;
          const failure = await hubWrite(
            'DELETE',
            `/repositories/${encodeURIComponent(org ?? '')}/${encodeURIComponent(repo ?? '')}/tags/${encodeURIComponent(tag)}`,
          );
          setError(failure);
          if (failure === null) router.refresh();
        }}
      >
        Delete
      </button>
      {error && (
        <span role="alert" className="alert" data-testid="error">
          {error}
        </span>
      )}
    </>
  );
}

'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { hubWrite } from './hub-fetch.ts';

/** A new Image with its detail, created with the signed-in user's rights (the webhooks decide). */
export function NewImageForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="form"
      onSubmit={async (event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const text = (key: string) => String(data.get(key) ?? '').trim();
        const name = text('name');
        const detail: Record<string, unknown> = {};
        if (text('description') !== '') detail.description = text('description');
        const keywords = text('keywords')
          .split(',')
          .map((k) => k.trim())
          .filter((k) => k !== '');
        if (keywords.length > 0) detail.keywords = keywords;
        if (text('docs') !== '') detail.docs = String(data.get('docs'));
        if (text('icon') !== '') detail.icon = text('icon');
        setBusy(true);
        const failure = await hubWrite('POST', '/images', { name, detail });
        setBusy(false);
        setError(failure);
        if (failure === null) {
          router.push(`/r/${name.slice(0, name.lastIndexOf(':'))}`);
          router.refresh();
        }
      }}
    >
      <label htmlFor="name">Name (organization/repository:tag)</label>
      <input id="name" name="name" type="text" required placeholder="labring/mysql:v8.0.32" />
      <label htmlFor="description">Description</label>
      <input id="description" name="description" type="text" />
      <label htmlFor="keywords">Keywords (comma-separated)</label>
      <input id="keywords" name="keywords" type="text" />
      <label htmlFor="icon">Icon URL (https, or a data: URI)</label>
      <input id="icon" name="icon" type="text" />
      <label htmlFor="docs">README (Markdown)</label>
      <textarea id="docs" name="docs" rows={10} />
      {error && (
        <p role="alert" className="alert" data-testid="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Create
      </button>
    </form>
  );
}

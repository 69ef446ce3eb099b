'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { hubWrite } from './hub-fetch.ts';

/**
 * An organization's managers: add and remove with the signed-in user's rights (PATCH with the
 * full new list); the apiserver refuses non-managers, and its reason is shown.
 */
export function MembersForm({ organization, managers }: { organization: string; managers: string[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const save = async (next: string[]) => {
    const failure = await hubWrite('PATCH', `/organizations/${encodeURIComponent(organization)}`, {
      managers: next,
    });
    setError(failure);
    if (failure === null) router.refresh();
  };
  return (
    <section aria-labelledby="members">
      <h2 id="members">Managers</h2>
      <ul className="members">
        {managers.map((manager) => (
          <li key={manager}>
            <span>{manager}</span>
            <button
              type="button"
              aria-label={`Remove ${manager}`}
              onClick={() => save(managers.filter((m) => m !== manager))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        className="form"
        onSubmit={async (event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const entry = String(new FormData(form).get('manager') ?? '').trim();
          if (entry !== '') await save([...managers, entry]);
          form.reset();
        }}
      >
        <label htmlFor="manager">Add a manager (a username, or group:NAME)</label>
        <input id="manager" name="manager" type="text" required />
        <button type="submit">Add</button>
      </form>
      {error && (
        <p role="alert" className="alert" data-testid="error">
          {error}
        </p>
      )}
    </section>
  );
}

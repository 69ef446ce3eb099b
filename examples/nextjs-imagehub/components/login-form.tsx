'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { hubWrite } from './hub-fetch.ts';

/** Sign-in with a Kubernetes token; the hub keeps it encrypted in an HttpOnly cookie. */
export function LoginForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="form"
      onSubmit={async (event) => {
        event.preventDefault();
        const token = String(new FormData(event.currentTarget).get('token') ?? '');
        setBusy(true);
        const failure = await hubWrite('POST', '/session', { token });
        setBusy(false);
        setError(failure);
        if (failure === null) {
          router.push('/');
          router.refresh();
        }
      }}
    >
      <label htmlFor="token">Kubernetes token</label>
      <textarea id="token" name="token" rows={5} required autoComplete="off" spellCheck={false} />
      <p className="muted">
        A ServiceAccount token (<code>kubectl create token NAME</code>) or an OIDC ID token your cluster
        trusts.
      </p>
      {error && (
        <p role="alert" className="alert" data-testid="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}

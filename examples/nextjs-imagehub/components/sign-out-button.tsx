'use client';

import { useRouter } from 'next/navigation';
import { hubWrite } from './hub-fetch.ts';

/** Ends the session (the hub clears its cookie) and re-renders as an anonymous visitor. */
export function SignOutButton() {
  const router = useRouter();
  return (
    <button
      type="button"
      className="link-button"
      onClick={async () => {
        await hubWrite('DELETE', '/session');
        router.push('/');
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}

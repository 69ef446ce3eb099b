import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutButton } from '../components/sign-out-button.tsx';
import { currentUser } from '../lib/hub.ts';
import './globals.css';

export const metadata: Metadata = {
  title: 'Image hub',
  description: 'A catalogue of container images, read through @hub/datapack',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await currentUser().catch(() => null);
  return (
    <html lang="en">
      <body>
        <header className="top">
          <Link href="/" className="brand">
            <span className="logo" aria-hidden="true">
              ◆
            </span>{' '}
            Image hub
          </Link>
          <nav>
            <Link href="/">Store</Link>
            <a href="/api/hub/repositories">API</a>
            {session ? (
              <>
                <Link href="/new">New image</Link>
                <span className="who" data-testid="signed-in">
                  {session.user}
                </span>
                <SignOutButton />
              </>
            ) : (
              <Link href="/login">Sign in</Link>
            )}
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

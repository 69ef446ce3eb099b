import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Image hub',
  description: 'A catalogue of container images, read through @hub/datapack',
};

export default function RootLayout({ children }: { children: ReactNode }) {
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
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

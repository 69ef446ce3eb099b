import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="empty" data-testid="not-found">
      <h2>Not found</h2>
      <p>
        This repository or organization does not exist (or is private).{' '}
        <Link href="/">Back to the store</Link>
      </p>
    </div>
  );
}

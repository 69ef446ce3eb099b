'use client';

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="error" role="alert" data-testid="error">
      <h2>The catalogue is not available</h2>
      <p>
        {error.message.includes('syncing')
          ? 'The catalogue is still syncing with the cluster. Try again in a moment.'
          : 'Something went wrong while reading the catalogue.'}
      </p>
      {error.digest && <p className="muted">Reference: {error.digest}</p>}
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}

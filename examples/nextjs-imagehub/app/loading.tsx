export default function Loading() {
  return (
    <div className="loading" aria-busy="true" data-testid="loading">
      <ul className="grid">
        {Array.from({ length: 6 }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: static skeleton cards
          <li key={i} className="card skeleton" />
        ))}
      </ul>
    </div>
  );
}

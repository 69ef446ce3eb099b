import type { RepositoryItem } from '@hub/datapack';
import Link from 'next/link';
import { formatTime } from '../lib/format.ts';
import { RepoIcon } from './repo-icon.tsx';

export function RepoCard({ item }: { item: RepositoryItem }) {
  return (
    <Link href={`/r/${item.name}`} className="card" data-testid="repo-card" data-name={item.name}>
      <div className="card-head">
        <RepoIcon name={item.name} icon={item.icon} />
        <div>
          <h3>{item.name}</h3>
          <p className="muted">
            {item.latestTag ? (
              <>
                <span className="tag">{item.latestTag.name}</span> · {formatTime(item.updated)}
              </>
            ) : (
              'no tags yet'
            )}
            {' · '}
            <span data-testid="downloads">
              {item.downloadCount} {item.downloadCount === 1 ? 'pull' : 'pulls'}
            </span>
            {item.isPrivate && <span className="private"> · private</span>}
          </p>
        </div>
      </div>
      <p className="description">{item.description ?? 'No description.'}</p>
      <ul className="card-keywords">
        {item.keywords.map((k) => (
          <li key={k}>{k}</li>
        ))}
      </ul>
    </Link>
  );
}

import { join } from 'node:path';
import { parseDigest } from '../digest/digest.ts';
import { StorageError } from './storage-error.ts';

// The distribution registry's grammar (distribution/reference): path components are lower-case
// alphanumerics joined by separators; the first component may be a host[:port] when the host is kept.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME_LENGTH = 255;

/** True when `repo` is a repository name the distribution registry accepts (and safe as a path). */
export function isValidRepositoryName(repo: string): boolean {
  if (repo.length === 0 || repo.length > MAX_NAME_LENGTH) return false;
  const parts = repo.split('/');
  return parts.every(
    (part, i) => PATH_COMPONENT.test(part) || (i === 0 && parts.length > 1 && isHostComponent(part)),
  );
}

// A kept registry host: lower-case (paths are case-sensitive, pulls are not), with a dot, a port or `localhost`.
function isHostComponent(part: string): boolean {
  return (
    DOMAIN_COMPONENT.test(part) &&
    part === part.toLowerCase() &&
    (part.includes('.') || part.includes(':') || part === 'localhost')
  );
}

/** True when `tag` matches the distribution tag grammar (`[\w][\w.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** Resolved paths of the `docker/registry/v2` layout under a storage root (see distribution paths.go). */
export class StorageLayout {
  readonly root: string;
  readonly v2: string;
  /** Where in-progress blobs live: same filesystem as `blobs/`, invisible to the registry. */
  readonly work: string;

  constructor(root: string) {
    this.root = root;
    this.v2 = join(root, 'docker', 'registry', 'v2');
    this.work = join(root, '.hub-save');
  }

  blobDir(digest: string): string {
    const { algorithm, hex } = mustDigest(digest);
    return join(this.v2, 'blobs', algorithm, hex.slice(0, 2), hex);
  }

  blobData(digest: string): string {
    return join(this.blobDir(digest), 'data');
  }

  partial(digest: string): string {
    const { algorithm, hex } = mustDigest(digest);
    return join(this.work, 'partial', `${algorithm}-${hex}.partial`);
  }

  tmpDir(): string {
    return join(this.work, 'tmp');
  }

  repositories(): string {
    return join(this.v2, 'repositories');
  }

  repository(repo: string): string {
    if (!isValidRepositoryName(repo)) {
      throw new StorageError(
        'INVALID_REPOSITORY',
        `Repository name "${repo}" is not valid for the distribution registry; use lower-case path components like "library/nginx".`,
      );
    }
    return join(this.repositories(), ...repo.split('/'));
  }

  layerLink(repo: string, digest: string): string {
    const { algorithm, hex } = mustDigest(digest);
    return join(this.repository(repo), '_layers', algorithm, hex, 'link');
  }

  revisionLink(repo: string, digest: string): string {
    const { algorithm, hex } = mustDigest(digest);
    return join(this.repository(repo), '_manifests', 'revisions', algorithm, hex, 'link');
  }

  tagsDir(repo: string): string {
    return join(this.repository(repo), '_manifests', 'tags');
  }

  tagCurrentLink(repo: string, tag: string): string {
    return join(this.tagsDir(repo), mustTag(tag), 'current', 'link');
  }

  tagIndexLink(repo: string, tag: string, digest: string): string {
    const { algorithm, hex } = mustDigest(digest);
    return join(this.tagsDir(repo), mustTag(tag), 'index', algorithm, hex, 'link');
  }
}

export function mustDigest(digest: string) {
  const parsed = parseDigest(digest);
  if (!parsed) {
    throw new StorageError(
      'INVALID_DIGEST',
      `"${digest}" is not a sha256/sha512 digest ("sha256:<64 hex>").`,
      {
        digest,
      },
    );
  }
  return parsed;
}

function mustTag(tag: string): string {
  if (!isValidTag(tag)) {
    throw new StorageError(
      'INVALID_TAG',
      `Tag "${tag}" is not valid; tags match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.`,
    );
  }
  return tag;
}

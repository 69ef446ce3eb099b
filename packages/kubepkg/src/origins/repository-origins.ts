import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keptHostComponent } from '@hub/image-save';
import { isValidRepositoryName, writeFileAtomic } from '@hub/image-save/storage';

/** Where the records live under a storage root: beside `docker/`, so a stock registry never sees them. */
export const ORIGINS_DIR = '.kubepkg/repositories';

/**
 * The registry hosts each stored repository's content came from, so that `kubepkg serve` answers a
 * containerd mirror request (`?ns=<host>`) from a repository stored without its host only when that
 * content really came from `<host>`.
 *
 * One small JSON file per repository, `<root>/.kubepkg/repositories/<name>/_origins.json`
 * (`{"hosts":["docker.io"]}`): a name component never starts with `_`, so a record can never collide with
 * a nested repository's directory, and writers of different repositories never race on one file. Each
 * write is a temp file and a rename; writes of one repository are serialised within the process.
 */
export class RepositoryOrigins {
  readonly root: string;
  #writes = new Map<string, Promise<void>>();

  constructor(root: string) {
    this.root = root;
  }

  /** The hosts recorded for `repository` (empty when none, or when the record is unreadable). */
  async hosts(repository: string): Promise<string[]> {
    const path = this.#path(repository);
    if (!path) return [];
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) return [];
    try {
      const parsed = JSON.parse(text) as { hosts?: unknown };
      return Array.isArray(parsed.hosts)
        ? parsed.hosts.filter((h): h is string => typeof h === 'string')
        : [];
    } catch {
      return []; // a damaged record vouches for nothing
    }
  }

  /** Whether `repository`'s content is recorded as coming from `host` (compared as {@link originHost}). */
  async has(repository: string, host: string): Promise<boolean> {
    const wanted = originHost(host);
    if (!wanted) return false;
    return (await this.hosts(repository)).some((h) => originHost(h) === wanted);
  }

  /** Adds hosts to `repository`'s record (a no-op when all are already there). */
  add(repository: string, hosts: Iterable<string>): Promise<void> {
    const path = this.#path(repository);
    if (!path) return Promise.resolve();
    const adding = [...hosts];
    const previous = this.#writes.get(repository) ?? Promise.resolve();
    const next = previous.then(async () => {
      const known = await this.hosts(repository);
      const seen = new Set(known.map(originHost));
      const merged = [...known];
      for (const host of adding) {
        const key = originHost(host);
        if (key && !seen.has(key)) {
          seen.add(key);
          merged.push(host.toLowerCase());
        }
      }
      if (merged.length === known.length) return;
      await writeFileAtomic(path, `${JSON.stringify({ hosts: merged.sort() })}\n`);
    });
    const settled = next.catch(() => undefined);
    this.#writes.set(repository, settled);
    void settled.then(() => {
      if (this.#writes.get(repository) === settled) this.#writes.delete(repository);
    });
    return next;
  }

  #path(repository: string): string | undefined {
    // Validated names only: the record path is built from it, so `..` must never get here.
    if (!isValidRepositoryName(repository)) return undefined;
    return join(this.root, ORIGINS_DIR, ...repository.split('/'), '_origins.json');
  }
}

/**
 * A registry host in the one form hosts are compared in: Docker Hub's aliases are `docker.io` (as image
 * references normalise them), then the kept-host rule (lower case, a port's `:` as `_`). Undefined for what
 * is no host.
 */
export function originHost(host: string): string | undefined {
  const lower = host.toLowerCase();
  return keptHostComponent(
    lower === 'index.docker.io' || lower === 'registry-1.docker.io' ? 'docker.io' : lower,
  );
}

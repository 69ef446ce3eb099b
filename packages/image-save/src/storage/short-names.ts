import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest } from '../digest/digest.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { isValidRepositoryName } from './layout.ts';
import type { RegistryStorage } from './registry-storage.ts';
import { StorageError } from './storage-error.ts';

/** Whether a short name may be linked to a repository in this directory. */
export type ShortNameState = 'free' | 'ours' | 'taken';

/**
 * Docker Hub short names in a storage directory: `mysql` served with the same content as `library/mysql`.
 * The short name is a repository of its own in the layout (its links point at the same blobs, nothing is
 * copied), so a stock registry serves it; which short names are such links is recorded in
 * `<root>/.hub-save/short-names/<name>` (the repository it stands for), beside `docker/`, where a registry
 * never looks. Without the record a repository `mysql` could have come from any registry
 * (`myreg:5000/mysql`), and linking Docker Hub's into it would shadow it: that is `taken`.
 */
export class ShortNames {
  readonly storage: RegistryStorage;

  constructor(storage: RegistryStorage) {
    this.storage = storage;
  }

  /** The repository `name` is recorded as the short name of, if any. */
  async recorded(name: string): Promise<string | undefined> {
    const text = await readFile(this.#record(name), 'utf8').catch(() => undefined);
    const target = text?.trim();
    return target && isValidRepositoryName(target) ? target : undefined;
  }

  /**
   * `ours` when `name` is already recorded for `repository`, `free` when no repository `name` exists yet,
   * `taken` when it is recorded for another repository or holds content of its own.
   */
  async state(name: string, repository: string): Promise<ShortNameState> {
    const recorded = await this.recorded(name);
    if (recorded !== undefined) return recorded === repository ? 'ours' : 'taken';
    const stored = await readdir(join(this.storage.layout.repository(name), '_manifests')).catch(
      () => undefined,
    );
    return stored === undefined ? 'free' : 'taken';
  }

  /**
   * Records `name` for `repository` (first, so a crash half-way leaves a name that is still known to be
   * ours), then gives it every layer link, manifest revision and tag that `repository` has. Call it after
   * `repository` is written, and only when {@link state} is not `taken`.
   */
  async link(name: string, repository: string): Promise<void> {
    if ((await this.recorded(name)) !== repository)
      await writeFileAtomic(this.#record(name), `${repository}\n`);
    const { storage } = this;
    const dir = storage.layout.repository(repository);
    for (const digest of await linkedDigests(join(dir, '_layers'))) await storage.linkLayer(name, digest);
    for (const digest of await linkedDigests(join(dir, '_manifests', 'revisions')))
      await storage.linkManifest(name, digest);
    for (const tag of await storage.listTags(repository)) {
      const digest = await storage.resolveTag(repository, tag);
      if (digest !== undefined && (await storage.resolveTag(name, tag)) !== digest)
        await storage.tag(name, tag, digest);
    }
  }

  #record(name: string): string {
    // Validated names only: the path is built from it, so `..` must never get here.
    if (!isValidRepositoryName(name) || name.includes('/'))
      throw new StorageError('INVALID_REPOSITORY', `"${name}" is not a one-component repository name.`);
    return join(this.storage.layout.work, 'short-names', name);
  }
}

/** The digests of a `_layers` or `_manifests/revisions` tree (`<alg>/<hex>/link`). */
async function linkedDigests(dir: string): Promise<string[]> {
  const digests: string[] = [];
  for (const algorithm of await readdir(dir).catch(() => [] as string[]))
    for (const hex of await readdir(join(dir, algorithm)).catch(() => [] as string[])) {
      const digest = `${algorithm}:${hex}`;
      if (isDigest(digest)) digests.push(digest);
    }
  return digests;
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestBytes, RegistryStorage, ShortNames } from '@hub/image-save/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogueRepositories } from './catalogue-name.ts';
import { listTargets } from './index-sources.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-index-sources-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listTargets over a hub-save directory', () => {
  it('catalogues a Docker Hub short name once, under its library/ name', async () => {
    const storage = new RegistryStorage(dir);
    for (const [repository, text] of [
      ['library/mysql', 'mysql'],
      ['team/app', 'app'],
    ] as const) {
      const manifest = new TextEncoder().encode(`{"m":"${text}"}`);
      await storage.writeBlobBytes(digestBytes(manifest), manifest);
      await storage.tag(repository, 'latest', digestBytes(manifest));
    }
    await new ShortNames(storage).link('mysql', 'library/mysql');
    expect(await storage.listRepositories()).toEqual(['library/mysql', 'mysql', 'team/app']);
    const listed = await listTargets({ kind: 'dir', dir }, { client: undefined as never });
    expect(listed.targets.map((t) => t.reference)).toEqual(['library/mysql:latest', 'team/app:latest']);
    expect(listed.failures).toEqual([]);
  });

  it('keeps a one-segment repository that has no library/ twin', () => {
    expect(catalogueRepositories(['nginx', 'mysql', 'library/mysql', 'a/mysql'])).toEqual([
      'nginx',
      'library/mysql',
      'a/mysql',
    ]);
  });
});

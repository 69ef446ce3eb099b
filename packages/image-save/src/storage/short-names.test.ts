import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestBytes, RegistryStorage, ShortNames } from '@hub/image-save/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let root: string;
let storage: RegistryStorage;
let names: ShortNames;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hub-short-names-'));
  storage = new RegistryStorage(root);
  names = new ShortNames(storage);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A repository with one layer and one tagged manifest; returns the manifest digest. */
async function saved(repository: string, tag: string, text: string): Promise<string> {
  const layer = new TextEncoder().encode(`layer ${text}`);
  const manifest = new TextEncoder().encode(`{"manifest":"${text}"}`);
  await storage.writeBlobBytes(digestBytes(layer), layer);
  await storage.writeBlobBytes(digestBytes(manifest), manifest);
  await storage.linkLayer(repository, digestBytes(layer));
  await storage.tag(repository, tag, digestBytes(manifest));
  return digestBytes(manifest);
}

describe('ShortNames', () => {
  it('links a short name to every tag and blob of its repository, records it, and copies no blob', async () => {
    const latest = await saved('library/mysql', 'latest', 'a');
    const eight = await saved('library/mysql', '8', 'b');
    expect(await names.state('mysql', 'library/mysql')).toBe('free');
    await names.link('mysql', 'library/mysql');
    expect(await storage.resolveTag('mysql', 'latest')).toBe(latest);
    expect(await storage.resolveTag('mysql', '8')).toBe(eight);
    expect(await storage.listRepositories()).toEqual(['library/mysql', 'mysql']);
    expect(await names.recorded('mysql')).toBe('library/mysql');
    expect(await names.state('mysql', 'library/mysql')).toBe('ours');
    const blobs = await readdir(join(root, 'docker/registry/v2/blobs/sha256'), { recursive: true });
    expect(blobs.filter((p) => p.endsWith('data'))).toHaveLength(4);
  });

  it('calls a short name taken when another registry saved that repository, or another repository claims it', async () => {
    await saved('mysql', '8', 'other registry');
    expect(await names.state('mysql', 'library/mysql')).toBe('taken');
    await saved('library/redis', 'latest', 'r');
    await names.link('redis', 'library/redis');
    expect(await names.state('redis', 'library/other')).toBe('taken');
  });
});

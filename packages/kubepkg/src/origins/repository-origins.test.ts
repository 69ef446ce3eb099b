import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ORIGINS_DIR, originHost, RepositoryOrigins } from './repository-origins.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubepkg-origins-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('RepositoryOrigins', () => {
  it('records hosts per repository, beside the registry layout, and compares them in one form', async () => {
    const origins = new RepositoryOrigins(dir);
    expect(await origins.has('library/nginx', 'docker.io')).toBe(false);
    await origins.add('library/nginx', ['docker.io']);
    await origins.add('library/nginx', ['index.docker.io', '127.0.0.1:5000']);
    expect(await origins.hosts('library/nginx')).toEqual(['127.0.0.1:5000', 'docker.io']);
    expect(await origins.has('library/nginx', 'registry-1.docker.io')).toBe(true);
    expect(await origins.has('library/nginx', '127.0.0.1:5000')).toBe(true);
    expect(await origins.has('library/nginx', 'ghcr.io')).toBe(false);
    // The nested repository's record never collides with its parent's.
    expect(await origins.has('library', 'docker.io')).toBe(false);
    const file = join(dir, ORIGINS_DIR, 'library', 'nginx', '_origins.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ hosts: ['127.0.0.1:5000', 'docker.io'] });
    // Written by rename: no temp file is left behind.
    expect(await readdir(join(dir, ORIGINS_DIR, 'library', 'nginx'))).toEqual(['_origins.json']);
  });

  it('loses no host when one process adds to the same repository concurrently', async () => {
    const origins = new RepositoryOrigins(dir);
    const hosts = Array.from({ length: 20 }, (_, i) => `r${i}.example`);
    await Promise.all(hosts.map((host) => origins.add('team/app', [host])));
    expect(await origins.hosts('team/app')).toEqual([...hosts].sort());
  });

  it('vouches for nothing with a damaged record or an invalid name, and never writes outside its directory', async () => {
    const origins = new RepositoryOrigins(dir);
    await mkdir(join(dir, ORIGINS_DIR, 'team', 'app'), { recursive: true });
    await writeFile(join(dir, ORIGINS_DIR, 'team', 'app', '_origins.json'), '{"hosts": [');
    expect(await origins.has('team/app', 'docker.io')).toBe(false);
    await origins.add('team/app', ['docker.io']);
    expect(await origins.hosts('team/app')).toEqual(['docker.io']);
    await origins.add('../escape', ['docker.io']);
    expect(await origins.has('../escape', 'docker.io')).toBe(false);
    expect(await readdir(dir)).toEqual(['.kubepkg']);
  });

  it('originHost: Docker Hub aliases are docker.io, ports and case as the kept-host rule writes them', () => {
    expect(originHost('index.docker.io')).toBe('docker.io');
    expect(originHost('Registry.Example:5000')).toBe('registry.example_5000');
    expect(originHost('not a host')).toBeUndefined();
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaveError, saveImages } from '@hub/image-save';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-save-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('saveImages input handling (no registry reachable)', () => {
  it('rejects two sources landing on the same repository:tag, and malformed references, per image', async () => {
    const { images, summary } = await saveImages({
      images: ['127.0.0.1:1/team/app:v1', '127.0.0.1:2/team/app:v1', 'UPPER/case:1'],
      dir,
      plainHttp: ['127.0.0.1:1', '127.0.0.1:2'],
      auth: false,
      retry: { attempts: 1 },
    });
    expect(summary).toMatchObject({ images: 3, saved: 0, failed: 3 });
    expect(images[1]?.error).toBeInstanceOf(SaveError);
    expect(images[1]?.error?.code).toBe('REPOSITORY_COLLISION');
    expect(images[1]?.error?.message).toContain('team/app:v1');
    expect(images[2]?.error?.code).toBe('INVALID_REFERENCE');
    // The first image failed on the network, not on the collision, and keeps the network's own code.
    expect(images[0]?.error?.code).toBe('NETWORK');
    expect(images[0]?.error?.cause).toMatchObject({ name: 'RegistryError', code: 'NETWORK' });
  });

  it('keeps the registry host in the repository path when asked, so no collision', async () => {
    const { images } = await saveImages({
      images: ['127.0.0.1:1/team/app:v1', '127.0.0.1:2/team/app:v1'],
      dir,
      plainHttp: ['127.0.0.1:1', '127.0.0.1:2'],
      keepRegistryHost: true,
      auth: false,
      retry: { attempts: 1 },
    });
    expect(images.map((r) => r.repository)).toEqual(['127.0.0.1_1/team/app', '127.0.0.1_2/team/app']);
    expect(images.every((r) => r.error?.code === 'NETWORK')).toBe(true);
  });

  it('refuses a Docker Hub image whose short name another image of the run is saved as, and fetches from the mirror', async () => {
    const { images } = await saveImages({
      images: ['mysql:latest', '127.0.0.1:1/mysql:8', 'redis:7'],
      dir,
      plainHttp: ['127.0.0.1:1', '127.0.0.1:2'],
      registryMirrors: { 'docker.io': '127.0.0.1:2' },
      auth: false,
      retry: { attempts: 1 },
    });
    expect(images.map((r) => [r.repository, r.shortName])).toEqual([
      ['library/mysql', 'mysql'],
      ['mysql', undefined],
      ['library/redis', 'redis'],
    ]);
    expect(images[0]?.error?.code).toBe('REPOSITORY_COLLISION');
    expect(images[0]?.error?.message).toBe(
      'mysql:latest: a Docker Hub image is also saved as its short name mysql, which "127.0.0.1:1/mysql:8" is saved as; pass keepRegistryHost (--keep-registry-host) to keep the registry host in repository paths',
    );
    expect(images[1]?.error?.code).toBe('NETWORK');
    // Docker Hub's images went to the mirror, never to docker.io.
    expect(images[2]?.error?.cause).toMatchObject({ code: 'NETWORK', host: '127.0.0.1:2' });
  });

  it('fails every image, not the call, on conflicting or malformed platform options', async () => {
    const conflicting = await saveImages({ images: ['a:1', 'b:2'], dir, arch: 'amd64', allPlatforms: true });
    expect(conflicting.summary).toMatchObject({ images: 2, failed: 2 });
    expect(conflicting.images.map((r) => r.error?.code)).toEqual(['INVALID_OPTION', 'INVALID_OPTION']);
    const malformed = await saveImages({ images: ['a:1'], dir, platforms: ['linux//amd64'] });
    expect(malformed.images[0]?.error?.code).toBe('INVALID_PLATFORM');
    expect(malformed.images[0]?.error?.message).toMatch(/^a:1: "linux\/\/amd64" is not a platform/);
  });

  it('gives a broken docker config its own code, with the cause', async () => {
    const { writeFile, mkdir } = await import('node:fs/promises');
    const { dockerCredentials, RegistryAuth } = await import('@hub/image-save/auth');
    await mkdir(join(dir, 'docker'), { recursive: true });
    await writeFile(join(dir, 'docker', 'config.json'), '{ not json');
    const { createServer } = await import('node:http');
    // A registry that asks for credentials, so the docker config is read.
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const { images } = await saveImages({
        images: [`${host}/team/app:v1`],
        dir,
        plainHttp: [host],
        auth: new RegistryAuth({
          credentials: dockerCredentials({ configPath: join(dir, 'docker', 'config.json') }),
        }),
      });
      expect(images[0]?.error?.code).toBe('DOCKER_CONFIG_INVALID');
      expect(images[0]?.error?.cause).toMatchObject({ name: 'AuthError', code: 'DOCKER_CONFIG_INVALID' });
    } finally {
      server.close();
    }
  });
});

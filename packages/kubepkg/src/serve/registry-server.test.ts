// kubepkg serve over directories written in-process (no external registry): which repositories a
// containerd mirror request (`?ns=`) may be answered from, the pull-through token, and HTTPS.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryStorage } from '@hub/image-save/storage';
import { createCertificateAuthority } from '@hub/test-env';
import { imageManifestBytes } from '@hub/test-env/fixtures';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { RepositoryOrigins } from '../origins/repository-origins.ts';
import { createRegistryServer, type RegistryServer } from './registry-server.ts';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubepkg-serve-unit-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Stores a one-config image as `repository:tag`; `seed` makes its digest unique. Returns the digests. */
async function storeImage(dir: string, repository: string, tag: string, seed: string) {
  const storage = new RegistryStorage(dir);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const manifest = imageManifestBytes(config, []);
  await storage.writeBlobBytes(sha(config), config);
  await storage.linkLayer(repository, sha(config));
  await storage.writeBlobBytes(sha(manifest), manifest);
  await storage.tag(repository, tag, sha(manifest));
  return { manifest: sha(manifest), config: sha(config) };
}

async function serve(options: Parameters<typeof createRegistryServer>[0]): Promise<[RegistryServer, string]> {
  const server = createRegistryServer(options);
  const host = await server.listen('127.0.0.1:0');
  cleanup.push(() => server.close());
  return [server, host];
}

const get = (host: string, path: string, headers: Record<string, string> = {}) =>
  fetch(`http://${host}${path}`, { headers: { accept: MANIFEST, ...headers } });

describe('kubepkg serve: Docker Hub short names', () => {
  it('answers mysql from library/mysql recorded from Docker Hub, unless mysql holds another registry', async () => {
    const dir = await tempDir();
    // As an import by an older kubepkg left it: library/mysql and its origin, no short-name links.
    const image = await storeImage(dir, 'library/mysql', '8', 'hub');
    await new RepositoryOrigins(dir).add('library/mysql', ['docker.io']);
    await storeImage(dir, 'library/unrecorded', '1', 'u');
    const [, host] = await serve({ dir });
    expect((await get(host, '/v2/mysql/manifests/8')).headers.get('docker-content-digest')).toBe(
      image.manifest,
    );
    expect((await (await get(host, '/v2/mysql/tags/list')).json()) as unknown).toMatchObject({ tags: ['8'] });
    expect((await get(host, '/v2/unrecorded/manifests/1')).status).toBe(404);

    // A bare mysql from elsewhere is never topped up with Docker Hub's tags.
    const other = await tempDir();
    await storeImage(other, 'library/mysql', '8', 'hub');
    await new RepositoryOrigins(other).add('library/mysql', ['docker.io']);
    await storeImage(other, 'mysql', '5', 'elsewhere');
    const [, otherHost] = await serve({ dir: other });
    expect((await get(otherHost, '/v2/mysql/manifests/8')).status).toBe(404);
    expect((await get(otherHost, '/v2/mysql/manifests/5')).status).toBe(200);
  });
});

describe('kubepkg serve: containerd mirror requests (?ns=)', () => {
  it('answers from a repository stored without its host only for the hosts recorded for it', async () => {
    const dir = await tempDir();
    const image = await storeImage(dir, 'team/app', 'v1', 'a');
    const [, host] = await serve({ dir });

    // Nothing says where team/app came from: no mirror may serve it, a direct client still gets it.
    expect((await get(host, '/v2/team/app/manifests/v1?ns=a.example')).status).toBe(404);
    expect((await get(host, '/v2/team/app/manifests/v1')).headers.get('docker-content-digest')).toBe(
      image.manifest,
    );

    await new RepositoryOrigins(dir).add('team/app', ['a.example']);
    const mirrored = await get(host, '/v2/team/app/manifests/v1?ns=a.example');
    expect(mirrored.status).toBe(200);
    expect(mirrored.headers.get('docker-content-digest')).toBe(image.manifest);
    expect((await get(host, `/v2/team/app/blobs/${image.config}?ns=a.example`)).status).toBe(200);

    // A mirror for another registry gets none of it: manifest, blob or tag list.
    expect((await get(host, '/v2/team/app/manifests/v1?ns=b.example')).status).toBe(404);
    expect((await get(host, `/v2/team/app/manifests/${image.manifest}?ns=b.example`)).status).toBe(404);
    expect((await get(host, `/v2/team/app/blobs/${image.config}?ns=b.example`)).status).toBe(404);
    expect((await get(host, '/v2/team/app/tags/list?ns=b.example')).status).toBe(404);

    // The kept-host name of the requested host names its source itself: served whatever the record says.
    const kept = await storeImage(dir, 'b.example_5000/team/app', 'v1', 'kept');
    const keptRes = await get(host, '/v2/team/app/manifests/v1?ns=b.example:5000');
    expect(keptRes.headers.get('docker-content-digest')).toBe(kept.manifest);
  });
});

describe('kubepkg serve: pull-through', () => {
  async function upstreamWith(repository: string, tag: string, seed: string) {
    const dir = await tempDir();
    const image = await storeImage(dir, repository, tag, seed);
    const [, host] = await serve({ dir });
    return { host, image };
  }

  it('needs the pull-through token to fetch from the upstream, and serves what is stored without it', async () => {
    const upstream = await upstreamWith('team/app', 'v1', 'up');
    const dir = await tempDir();
    const [, host] = await serve({
      dir,
      upstream: { registry: upstream.host, client: { plainHttp: [upstream.host], auth: false } },
      pullThroughToken: 'pull-secret',
    });

    const refused = await get(host, '/v2/team/app/manifests/v1');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="kubepkg-pull-through"');
    expect(await refused.text()).not.toContain('pull-secret');
    expect((await get(host, '/v2/team/app/manifests/v1', { authorization: 'Bearer wrong' })).status).toBe(
      401,
    );
    expect((await get(host, `/v2/team/app/blobs/${upstream.image.config}`)).status).toBe(401);
    expect(await new RegistryStorage(dir).listRepositories()).toEqual([]);

    const bearer = { authorization: 'Bearer pull-secret' };
    const pulled = await get(host, '/v2/team/app/manifests/v1', bearer);
    expect(pulled.headers.get('docker-content-digest')).toBe(upstream.image.manifest);
    expect((await get(host, `/v2/team/app/blobs/${upstream.image.config}`, bearer)).status).toBe(200);

    // Stored now: anyone may read it, and a miss that would pull through still needs the token.
    expect((await get(host, '/v2/team/app/manifests/v1')).status).toBe(200);
    expect((await get(host, `/v2/team/app/blobs/${upstream.image.config}`)).status).toBe(200);
    expect((await get(host, '/v2/team/app/manifests/v2')).status).toBe(401);
  });

  it('pulls through for mirror requests of the upstream only, and records the upstream as the origin', async () => {
    const upstream = await upstreamWith('team/app', 'v1', 'up');
    const dir = await tempDir();
    const [, host] = await serve({
      dir,
      upstream: { registry: upstream.host, client: { plainHttp: [upstream.host], auth: false } },
    });
    expect((await get(host, '/v2/team/app/manifests/v1?ns=other.example')).status).toBe(404);
    expect(await new RegistryStorage(dir).listRepositories()).toEqual([]);

    const pulled = await get(host, `/v2/team/app/manifests/v1?ns=${upstream.host}`);
    expect(pulled.headers.get('docker-content-digest')).toBe(upstream.image.manifest);
    expect(await new RepositoryOrigins(dir).hosts('team/app')).toEqual([upstream.host]);
    expect((await get(host, '/v2/team/app/manifests/v1?ns=other.example')).status).toBe(404);
  });

  it('never mixes the upstream tags into a repository imported from another host', async () => {
    const upstream = await upstreamWith('team/app', 'v1', 'up');
    const dir = await tempDir();
    const imported = await storeImage(dir, 'team/app', 'v1', 'imported');
    await new RepositoryOrigins(dir).add('team/app', ['a.example']);
    const [, host] = await serve({
      dir,
      upstream: { registry: upstream.host, client: { plainHttp: [upstream.host], auth: false } },
    });

    const mirrored = await get(host, `/v2/team/app/manifests/v1?ns=${upstream.host}`);
    expect(mirrored.headers.get('docker-content-digest')).toBe(upstream.image.manifest);
    const own = await get(host, '/v2/team/app/manifests/v1?ns=a.example');
    expect(own.headers.get('docker-content-digest')).toBe(imported.manifest);
    expect(await new RegistryStorage(dir).listRepositories()).toEqual([
      `${upstream.host.replace(':', '_')}/team/app`,
      'team/app',
    ]);
  });
});

describe('kubepkg serve: HTTPS', () => {
  it('serves the registry API and the import endpoint over TLS with the given certificate', async () => {
    const ca = await createCertificateAuthority('kubepkg-test-ca');
    const cert = await ca.issue({ commonName: 'kubepkg', ipAddresses: ['127.0.0.1'], usage: 'server' });
    const dir = await tempDir();
    const image = await storeImage(dir, 'team/app', 'v1', 'tls');
    const [, host] = await serve({
      dir,
      importToken: 'import-secret',
      tls: { cert: cert.certPem, key: cert.keyPem },
    });
    const dispatcher = new Agent({ connect: { ca: ca.certPem } });
    cleanup.push(() => dispatcher.close());
    const res = await undiciFetch(`https://${host}/v2/team/app/manifests/v1`, {
      headers: { accept: MANIFEST },
      dispatcher,
    });
    expect(res.headers.get('docker-content-digest')).toBe(image.manifest);
    const imported = await undiciFetch(`https://${host}/api/kubepkg/import`, {
      method: 'POST',
      headers: { authorization: 'Bearer import-secret' },
      body: 'not an archive',
      dispatcher,
    });
    expect(imported.status).toBe(400);
    // Plain HTTP is not spoken on the TLS port.
    await expect(fetch(`http://${host}/v2/`)).rejects.toThrow();
  });
});

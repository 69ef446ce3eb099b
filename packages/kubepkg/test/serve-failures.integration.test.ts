// kubepkg serve says what really happened: an import it cannot apply is refused before anything is
// written, and a pull-through upstream that fails (not "not found") is reported as such, not as a 404.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryStorage } from '@hub/image-save/storage';
import { createRegistryServer, exportKubePkg } from '@hub/kubepkg';
import { KUBEPKG_API_VERSION } from '@hub/kubepkg/spec';
import { startFaultProxy } from '@hub/test-env';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const env = inject('hubTestEnv');
const image = env.fixtures.images['oci-single'];
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kubepkg-serve-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kubepkg serve failures', () => {
  it('refuses ?apply=true without cluster access before importing anything', async () => {
    const archive = join(work, 'one.kubepkg.tgz');
    await exportKubePkg({
      input: {
        apiVersion: KUBEPKG_API_VERSION,
        kind: 'KubePkg',
        metadata: { name: 'one' },
        spec: { version: '1.0.0', images: { [image.reference]: '' }, manifests: {} },
      },
      output: archive,
      client: { plainHttp: [env.registry], auth: false },
    });
    const dir = join(work, 'agent');
    const server = createRegistryServer({ dir, importToken: 'secret' });
    const host = await server.listen('127.0.0.1:0');
    try {
      const res = await fetch(`http://${host}/api/kubepkg/import?apply=true`, {
        method: 'POST',
        headers: { authorization: 'Bearer secret' },
        body: await readFile(archive),
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain('no cluster access');
      const blobs = [];
      for await (const blob of new RegistryStorage(dir).listBlobs()) blobs.push(blob);
      expect(blobs).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('reports an upstream 5xx in pull-through as 502, and a real miss as 404', async () => {
    const proxy = await startFaultProxy(env.registry, [
      { fault: { kind: 'status', status: 503 }, on: 'manifest' },
    ]);
    const server = createRegistryServer({
      dir: join(work, 'cache'),
      upstream: {
        registry: proxy.host,
        client: { plainHttp: [proxy.host], auth: false, retry: { attempts: 1 } },
      },
    });
    const host = await server.listen('127.0.0.1:0');
    try {
      const failed = await fetch(`http://${host}/v2/${image.repository}/manifests/${image.tag}`);
      expect(failed.status).toBe(502);
      expect(JSON.stringify(await failed.json())).toContain(`upstream ${proxy.host} failed (HTTP 503)`);
      proxy.rules = [];
      const missing = await fetch(`http://${host}/v2/${image.repository}/manifests/no-such-tag`);
      expect(missing.status).toBe(404);
      const ok = await fetch(`http://${host}/v2/${image.repository}/manifests/${image.tag}`, {
        headers: { accept: image.mediaType },
      });
      expect(ok.headers.get('docker-content-digest')).toBe(image.digest);
    } finally {
      await server.close();
      await proxy.close();
    }
  });
});

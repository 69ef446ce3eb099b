// kubepkg serve against the real registry and skopeo: containerd mirror requests (`?ns=`) are answered from
// an imported package only for the hosts its spec.images names, pull-through can require a token, and the
// agent serves HTTPS with --tls-cert/--tls-key.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRegistryServer, exportKubePkg, importKubePkg } from '@hub/kubepkg';
import { KUBEPKG_API_VERSION } from '@hub/kubepkg/spec';
import { createCertificateAuthority } from '@hub/test-env';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { skopeoDigest } from './skopeo-digest.ts';

const run = promisify(execFile);
const env = inject('hubTestEnv');
const image = env.fixtures.images['oci-single'];
let work: string;
let archive: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kubepkg-serve-hardening-'));
  archive = join(work, 'app.kubepkg.tgz');
  // The default export: the repository is stored without its host.
  await exportKubePkg({
    input: {
      apiVersion: KUBEPKG_API_VERSION,
      kind: 'KubePkg',
      metadata: { name: 'app' },
      spec: { version: '1.0.0', images: { [image.reference]: '' }, manifests: {} },
    },
    output: archive,
    client: { plainHttp: [env.registry], auth: false },
  });
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const head = (host: string, path: string) =>
  fetch(`http://${host}${path}`, { method: 'HEAD', headers: { accept: image.mediaType } });

describe('kubepkg serve hardening', () => {
  it('answers a mirror request for an imported package only for the host its spec.images names', async () => {
    const dir = join(work, 'imported');
    await importKubePkg(archive, { dir });
    const server = createRegistryServer({ dir });
    const host = await server.listen('127.0.0.1:0');
    try {
      const path = `/v2/${image.repository}/manifests/${image.tag}`;
      const mirrored = await head(host, `${path}?ns=${env.registry}`);
      expect(mirrored.status).toBe(200);
      expect(mirrored.headers.get('docker-content-digest')).toBe(image.digest);
      // A node that mirrors another registry through this agent gets nothing of this package.
      expect((await head(host, `${path}?ns=ghcr.io`)).status).toBe(404);
      expect((await head(host, `${path}?ns=docker.io`)).status).toBe(404);
      // Clients of the agent itself are unchanged.
      expect(await skopeoDigest(`${host}/${image.repository}:${image.tag}`)).toBe(image.digest);
    } finally {
      await server.close();
    }
  });

  it('requires the pull-through token to fetch from the upstream; what is stored serves without it', async () => {
    const dir = join(work, 'cache');
    const server = createRegistryServer({
      dir,
      upstream: { registry: env.registry, client: { plainHttp: [env.registry], auth: false } },
      pullThroughToken: 'pull-token',
    });
    const host = await server.listen('127.0.0.1:0');
    const reference = `docker://${host}/${image.repository}:${image.tag}`;
    try {
      const refused = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', reference]).catch(
        (error: { stderr: string }) => error,
      );
      expect(refused).toMatchObject({ stderr: expect.stringMatching(/401|unauthorized/i) });
      const res = await head(host, `/v2/${image.repository}/manifests/${image.tag}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="kubepkg-pull-through"');

      // The token travels as a static header (containerd's hosts.toml `header`, curl -H): skopeo sends
      // credentials only when the /v2/ ping challenges, and the ping stays open for stored content.
      const bearer = { authorization: 'Bearer pull-token', accept: image.mediaType };
      const manifest = await fetch(`http://${host}/v2/${image.repository}/manifests/${image.tag}`, {
        headers: bearer,
      });
      expect(manifest.headers.get('docker-content-digest')).toBe(image.digest);
      const { config, layers } = (await manifest.json()) as {
        config: { digest: string };
        layers: Array<{ digest: string }>;
      };
      for (const { digest } of [config, ...layers]) {
        const blob = await fetch(`http://${host}/v2/${image.repository}/blobs/${digest}`, {
          headers: bearer,
        });
        expect(blob.status).toBe(200);
        await blob.arrayBuffer();
      }
      // Now stored: served to anyone (skopeo copies it without a token), and to a mirror of the upstream.
      await run('skopeo', ['copy', '--src-tls-verify=false', reference, `dir:${join(work, 'copy')}`]);
      const mirrored = await head(host, `/v2/${image.repository}/manifests/${image.tag}?ns=${env.registry}`);
      expect(mirrored.headers.get('docker-content-digest')).toBe(image.digest);
    } finally {
      await server.close();
    }
  });

  it('serves the registry API and the import endpoint over HTTPS', async () => {
    const ca = await createCertificateAuthority('kubepkg-serve-it');
    const cert = await ca.issue({ commonName: 'agent', ipAddresses: ['127.0.0.1'], usage: 'server' });
    const certs = join(work, 'certs');
    await mkdir(certs, { recursive: true });
    await writeFile(join(certs, 'ca.crt'), ca.certPem);
    const dir = join(work, 'tls');
    const server = createRegistryServer({
      dir,
      importToken: 'import-token',
      tls: { cert: cert.certPem, key: cert.keyPem },
    });
    const host = await server.listen('127.0.0.1:0');
    const dispatcher = new Agent({ connect: { ca: ca.certPem } });
    try {
      const imported = await undiciFetch(`https://${host}/api/kubepkg/import`, {
        method: 'POST',
        headers: { authorization: 'Bearer import-token' },
        body: await readFile(archive),
        dispatcher,
      });
      expect(imported.status).toBe(200);
      const { stdout } = await run('skopeo', [
        'inspect',
        '--cert-dir',
        certs,
        '--format',
        '{{.Digest}}',
        `docker://${host}/${image.repository}:${image.tag}`,
      ]);
      expect(stdout.trim()).toBe(image.digest);
    } finally {
      await dispatcher.close();
      await server.close();
    }
  });
});

// Docker Hub short names in a saved directory (sealer's flow): save `mysql:latest` from a Docker Hub mirror,
// serve the directory with the stock registry, pull `<dir-registry>/mysql:latest` and
// `<dir-registry>/library/mysql:latest` with skopeo.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { saveImages } from '@hub/image-save';
import { digestBytes } from '@hub/image-save/storage';
import { type Registry, startRegistry } from '@hub/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.ts';
import { CorpusBuilder, type PushedImage } from './corpus.ts';

const run = promisify(execFile);
let mirror: Registry;
let mysql: PushedImage;
let other: PushedImage;
const dirs: string[] = [];

async function tempDir(prefix: string) {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function served(dir: string, fn: (host: string) => Promise<void>) {
  const registry = await startRegistry({ storageDir: dir, readOnly: true });
  try {
    await fn(registry.host);
  } finally {
    await registry.stop();
  }
}

beforeAll(async () => {
  // The mirror stands in for Docker Hub: it holds library/mysql, and a bare `mysql` of its own.
  mirror = await startRegistry();
  const b = new CorpusBuilder(mirror.host);
  mysql = await b.single('library/mysql', 'latest', [randomBytes(200_000), randomBytes(3000)]);
  other = await b.single('mysql', '8', [randomBytes(5000)]);
  await b.close();
});

afterAll(async () => {
  await mirror?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('a saved Docker Hub official image', () => {
  it('is pulled as mysql:latest and library/mysql:latest from the stock registry, blobs stored once', async () => {
    const dir = await tempDir('hub-save-short-');
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => {
      out += d;
    });
    const code = await runCli(
      [
        '--dir',
        dir,
        '--registry-mirror',
        `docker.io=${mirror.host}`,
        '--plain-http',
        mirror.host,
        '--json',
        'mysql',
      ],
      { stdout, stderr: new PassThrough(), env: {}, isTTY: false },
    );
    expect(code, out).toBe(0);
    const summary = JSON.parse(out.trim().split('\n').at(-1) as string);
    expect(summary.images).toEqual([
      {
        reference: 'mysql',
        status: 'saved',
        repository: 'library/mysql',
        tag: 'latest',
        shortName: 'mysql',
        digest: mysql.digest,
      },
    ]);
    const blobs = (await readdir(join(dir, 'docker/registry/v2/blobs'), { recursive: true })).filter((p) =>
      p.endsWith('/data'),
    );
    // Layers, config and manifest, once each, although two repositories serve them.
    expect(blobs).toHaveLength((mysql.blobs['linux/amd64'] ?? []).length + 1);

    await served(dir, async (host) => {
      for (const name of ['mysql', 'library/mysql']) {
        const { stdout: raw } = await run('skopeo', [
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${host}/${name}:latest`,
        ]);
        expect(digestBytes(new TextEncoder().encode(raw)), name).toBe(mysql.digest);
        const to = await tempDir('hub-save-short-pull-');
        await run('skopeo', [
          'copy',
          '--src-tls-verify=false',
          `docker://${host}/${name}:latest`,
          `dir:${to}`,
        ]);
        const pulled = await readdir(to);
        for (const blob of mysql.blobs['linux/amd64'] ?? []) expect(pulled, name).toContain(blob.slice(7));
      }
      const { stdout: catalog } = await run('curl', ['-sf', `http://${host}/v2/_catalog`]);
      expect(JSON.parse(catalog).repositories).toEqual(['library/mysql', 'mysql']);
    });

    // Another registry's bare `mysql` may not land in the short name now.
    const clash = await saveImages({
      images: [`${mirror.host}/mysql:8`],
      dir,
      plainHttp: [mirror.host],
      auth: false,
    });
    expect(clash.images[0]?.error?.code).toBe('REPOSITORY_COLLISION');
    expect(clash.images[0]?.error?.message).toContain('mysql is the Docker Hub short name of library/mysql');
    // A re-run is up to date and keeps both names.
    const again = await saveImages({
      images: ['mysql:latest'],
      dir,
      registryMirrors: { 'docker.io': mirror.host },
      plainHttp: [mirror.host],
      auth: false,
    });
    expect(again.images[0]).toMatchObject({ status: 'saved', upToDate: true, shortName: 'mysql' });
  });

  it('is refused rather than shadow a bare name another registry already saved in the directory', async () => {
    const dir = await tempDir('hub-save-short-clash-');
    const first = await saveImages({
      images: [`${mirror.host}/mysql:8`],
      dir,
      plainHttp: [mirror.host],
      auth: false,
    });
    expect(first.images[0]).toMatchObject({ status: 'saved', repository: 'mysql', digest: other.digest });
    const hub = await saveImages({
      images: ['mysql:latest'],
      dir,
      registryMirrors: { 'docker.io': mirror.host },
      plainHttp: [mirror.host],
      auth: false,
    });
    expect(hub.images[0]?.error?.code).toBe('REPOSITORY_COLLISION');
    expect(hub.images[0]?.error?.message).toContain(
      'already has a repository mysql that is not library/mysql',
    );
    expect(hub.summary.blobsFetched).toBe(0);
    await served(dir, async (host) => {
      const { stdout: raw } = await run('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${host}/mysql:8`,
      ]);
      expect(digestBytes(new TextEncoder().encode(raw))).toBe(other.digest);
      await expect(
        run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/mysql:latest`]),
      ).rejects.toThrow();
    });
  });
});

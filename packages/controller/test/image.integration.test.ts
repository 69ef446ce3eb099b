// The image recipe, built with the real buildah (no Docker engine), pushed to the real registry,
// read back with skopeo, and run: its own Node and libraries, chrooted, as the non-root user.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage } from '../image/build-image.ts';

const run = promisify(execFile);
const env = inject('hubTestEnv');
const storage = mkdtempSync(join(tmpdir(), 'hub-buildah-test-'));
const buildahArgs = [
  '--storage-driver',
  'vfs',
  '--root',
  join(storage, 'root'),
  '--runroot',
  join(storage, 'run'),
];
const ref = `${env.registry}/hub/controller:test`;
let mountPoint = '';
let container = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  await buildImage({ tag: 'localhost/hub-controller:test', push: ref, plainHttp: true, storage });
  container = (await run('buildah', [...buildahArgs, 'from', 'localhost/hub-controller:test'])).stdout.trim();
  mountPoint = (await run('buildah', [...buildahArgs, 'mount', container])).stdout.trim();
}, 300_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (container) await run('buildah', [...buildahArgs, 'rm', container]).catch(() => undefined);
  await run('buildah', [...buildahArgs, 'rmi', '--all', '--force']).catch(() => undefined);
});

describe('the hub-controller image', () => {
  it('is in the registry as a small, non-root image with the controller as entrypoint', async () => {
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--config', `docker://${ref}`]);
    const config = JSON.parse(stdout) as {
      config: { User?: string; Entrypoint?: string[] };
      rootfs: { diff_ids: string[] };
    };
    expect(config.config.User).toBe('65532:65532');
    expect(config.config.Entrypoint).toEqual(['/usr/local/bin/node', '/app/hub-controller.mjs']);
    expect(config.rootfs.diff_ids).toHaveLength(2);
    const raw = JSON.parse(
      (await run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${ref}`])).stdout,
    ) as {
      layers: { size: number }[];
    };
    const compressed = raw.layers.reduce((sum, layer) => sum + layer.size, 0);
    expect(compressed).toBeLessThan(60 * 1024 * 1024);
  });

  it('runs from its own filesystem only: both CLIs answer --help', async () => {
    for (const entry of ['hub-controller', 'hub-index']) {
      const { stdout } = await run('chroot', [
        '--userspec=65532:65532',
        mountPoint,
        '/usr/local/bin/node',
        `/app/${entry}.mjs`,
        '--help',
      ]);
      expect(stdout).toContain(`${entry}`);
      expect(stdout).toContain('--help');
    }
  });

  it('runs the controller against the real apiserver until /readyz answers', async () => {
    copyFileSync(env.kubeconfigPath, join(mountPoint, 'tmp', 'kubeconfig'));
    // The test's admin kubeconfig is root's 0600 file; the image runs as 65532.
    chmodSync(join(mountPoint, 'tmp', 'kubeconfig'), 0o644);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(
      'chroot',
      [
        '--userspec=65532:65532',
        mountPoint,
        '/usr/local/bin/node',
        '/app/hub-controller.mjs',
        '--kubeconfig=/tmp/kubeconfig',
        '--webhook-port=0',
        '--metrics-bind-address=0',
        `--health-probe-bind-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 60_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200 && child.exitCode === null) {
      status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status, output.slice(-2000)).toBe(200);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(child.exitCode, output.slice(-2000)).toBe(0);
  });
});

// `kubepkg export` behind a flaky link: a fault-injecting proxy in front of the stock registry. Every run
// either writes an archive byte-identical to a fault-free export that imports cleanly, or fails with one
// `kubepkg:` line naming image and blob, exit 1, and nothing at the output path.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryStorage } from '@hub/image-save/storage';
import { type ExportEvent, exportKubePkg, importKubePkg } from '@hub/kubepkg';
import { KUBEPKG_API_VERSION, type KubePkg } from '@hub/kubepkg/spec';
import { type FaultRule, startFaultProxy } from '@hub/test-env';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.ts';

const env = inject('hubTestEnv');
const KEYS = ['large', 'oci-multiarch'] as const;
let work: string;

function pkgFor(host: string): KubePkg {
  const images: Record<string, string> = {};
  for (const key of KEYS) {
    const image = env.fixtures.images[key];
    images[`${host}/${image.repository}:${image.tag}`] = '';
  }
  return {
    apiVersion: KUBEPKG_API_VERSION,
    kind: 'KubePkg',
    metadata: { name: 'flaky' },
    spec: { version: '1.0.0', images, manifests: {} },
  };
}

async function exportThrough(proxyHost: string, output: string, events: ExportEvent[] = []) {
  return exportKubePkg({
    input: pkgFor(proxyHost),
    output,
    platforms: ['linux/amd64'],
    // Small idle timeout, so a stall is detected quickly.
    client: { plainHttp: [proxyHost], auth: false, idleTimeoutMs: 1000, retry: { baseDelayMs: 50 } },
    onEvent: (event) => events.push(event),
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kubepkg-faults-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Every blob of the archive verifies on import and is stored under its digest. */
async function importsCleanly(path: string) {
  const dir = await mkdtemp(join(work, 'import-'));
  const result = await importKubePkg(path, { dir });
  const storage = new RegistryStorage(dir);
  for (const key of KEYS) {
    for (const blob of env.fixtures.images[key].blobs) {
      if ((result.document as KubePkg).status?.digests?.some((d) => d.digest === blob))
        expect(await storage.hasBlob(blob)).toBe(true);
    }
  }
  return result;
}

const LARGE = 1024 * 1024; // body faults hit the 8 MiB layer, not the tiny configs
const recoverable: Array<[string, FaultRule[]]> = [
  ['a reset mid-blob', [{ fault: { kind: 'reset' }, on: 'blob', times: 2, minBytes: LARGE }]],
  ['a truncated blob body', [{ fault: { kind: 'truncate' }, on: 'blob', times: 2, minBytes: LARGE }]],
  [
    'a stall longer than the idle timeout',
    [{ fault: { kind: 'stall', ms: 3000 }, on: 'blob', times: 1, minBytes: LARGE }],
  ],
  [
    '429 with Retry-After, then 503',
    [
      { fault: { kind: 'status', status: 429, retryAfter: '1' }, on: 'blob', times: 1 },
      { fault: { kind: 'status', status: 503 }, on: 'blob', times: 1 },
    ],
  ],
  [
    'mixed: reset, truncation and 500',
    [
      { fault: { kind: 'reset' }, on: 'blob', times: 1, minBytes: LARGE },
      { fault: { kind: 'status', status: 500 }, on: 'blob', times: 1 },
      { fault: { kind: 'truncate' }, on: 'blob', times: 1, minBytes: LARGE },
    ],
  ],
];

describe('kubepkg export through a flaky link', () => {
  it('gives the same bytes when exported twice from a live registry', async () => {
    const first = join(work, 'twice-1.tgz');
    const second = join(work, 'twice-2.tgz');
    for (const out of [first, second]) {
      await exportKubePkg({
        input: pkgFor(env.registry),
        output: out,
        platforms: 'all',
        client: { plainHttp: [env.registry], auth: false },
      });
    }
    expect((await readFile(first)).equals(await readFile(second))).toBe(true);
  });

  for (const [what, rules] of recoverable) {
    it(`survives ${what}: same bytes as a fault-free export, and it imports`, async () => {
      const proxy = await startFaultProxy(env.registry, rules);
      try {
        // The spec names the proxy host, so compare against a clean export through this very proxy.
        const clean = join(work, `clean-${proxy.host.replace(':', '_')}.tgz`);
        const saved = proxy.rules;
        proxy.rules = [];
        await exportThrough(proxy.host, clean);
        proxy.rules = saved;
        const out = join(work, `faulty-${proxy.host.replace(':', '_')}.tgz`);
        const events: ExportEvent[] = [];
        await exportThrough(proxy.host, out, events);
        expect(proxy.injected.length).toBeGreaterThan(0);
        expect((await readFile(out)).equals(await readFile(clean))).toBe(true);
        if (rules.some((r) => r.fault.kind !== 'status')) {
          expect(events.some((e) => e.type === 'retry')).toBe(true);
          expect(proxy.rangeRequests.length).toBeGreaterThan(0);
        }
        await importsCleanly(out);
      } finally {
        await proxy.close();
      }
    });
  }

  it('fails cleanly when every try breaks: one kubepkg: line naming image and blob, exit 1, no file', async () => {
    const proxy = await startFaultProxy(env.registry, [
      { fault: { kind: 'reset' }, on: 'blob', minBytes: LARGE },
    ]);
    try {
      const dir = await mkdtemp(join(work, 'fail-'));
      const input = join(dir, 'kubepkg.json');
      await writeFile(input, JSON.stringify(pkgFor(proxy.host)));
      const out = { stdout: '', stderr: '' };
      const code = await runCli(
        [
          'export',
          input,
          '-o',
          join(dir, 'out.tgz'),
          '--platform',
          'linux/amd64',
          '--plain-http',
          proxy.host,
        ],
        {
          stdout: { write: (t: string) => (out.stdout += t) },
          stderr: { write: (t: string) => (out.stderr += t) },
          env: { DOCKER_CONFIG: join(dir, 'no-docker-config') },
          isTTY: false,
        },
      );
      expect(code).toBe(1);
      const failures = out.stderr.split('\n').filter((l) => l.startsWith('kubepkg:'));
      expect(failures).toHaveLength(1);
      const large = env.fixtures.images.large;
      expect(failures[0]).toContain(`${proxy.host}/${large.repository}:${large.tag}`);
      expect(failures[0]).toMatch(/blob sha256:[a-f0-9]{64}/);
      expect(failures[0]).toContain('5 tries');
      expect(await readdir(dir)).toEqual(['kubepkg.json']);
    } finally {
      await proxy.close();
    }
  });

  it('fetches a small blob again when its bytes arrive corrupted: same archive as a fault-free export', async () => {
    const config = env.fixtures.images.large.blobs.find((b) => b !== env.fixtures.images.large.blobs.at(-1));
    const proxy = await startFaultProxy(env.registry, [
      {
        fault: { kind: 'corrupt' },
        on: 'blob',
        times: 2,
        path: new RegExp(`${(config as string).slice(7)}$`),
      },
    ]);
    try {
      const clean = join(work, `clean-small-${proxy.host.replace(':', '_')}.tgz`);
      const saved = proxy.rules;
      proxy.rules = [];
      await exportThrough(proxy.host, clean);
      proxy.rules = saved;
      const out = join(work, `corrupt-small-${proxy.host.replace(':', '_')}.tgz`);
      const events: ExportEvent[] = [];
      await exportThrough(proxy.host, out, events);
      expect(proxy.injected.filter((f) => f.kind === 'corrupt')).toHaveLength(2);
      expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
      expect((await readFile(out)).equals(await readFile(clean))).toBe(true);
      await importsCleanly(out);
    } finally {
      await proxy.close();
    }
  });

  it('refuses corrupted bytes of a large blob: BLOB_DIGEST_MISMATCH and no file', async () => {
    const proxy = await startFaultProxy(env.registry, [
      { fault: { kind: 'corrupt' }, on: 'blob', minBytes: LARGE },
    ]);
    try {
      const dir = await mkdtemp(join(work, 'corrupt-'));
      const error = await exportThrough(proxy.host, join(dir, 'out.tgz')).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('BLOB_DIGEST_MISMATCH');
      expect((error as Error).message).toContain(env.fixtures.images.large.repository);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

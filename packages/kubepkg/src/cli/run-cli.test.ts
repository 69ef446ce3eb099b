import { describe, expect, it } from 'vitest';
import { parseInventory, runCli } from './run-cli.ts';

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      env: {},
      isTTY: false,
    },
  };
}

describe('kubepkg CLI', () => {
  it('prints help with examples for every command', async () => {
    for (const command of ['export', 'import', 'apply', 'serve', 'inventory']) {
      const { out, io: sink } = io();
      expect(await runCli([command, '--help'], sink)).toBe(0);
      expect(out.stdout).toContain(`kubepkg ${command}`);
      expect(out.stdout).toMatch(/Examples?:/);
    }
  });

  it('reports bad usage the one hub way: two lines on stderr naming the --help to run, exit 2', async () => {
    const none = io();
    expect(await runCli([], none.io)).toBe(2);
    expect(none.out.stderr).toBe(
      'kubepkg: no command given (export, import, apply, serve, inventory)\nRun kubepkg --help for usage.\n',
    );
    expect(none.out.stdout).toBe('');
    const unknown = io();
    expect(await runCli(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.out.stderr).toBe('kubepkg: unknown command "frobnicate"\nRun kubepkg --help for usage.\n');
    const missing = io();
    expect(await runCli(['import', 'x.tgz'], missing.io)).toBe(2);
    expect(missing.out.stderr).toBe(
      'kubepkg: import needs a file and exactly one of --dir or --registry\nRun kubepkg import --help for usage.\n',
    );
    const flag = io();
    expect(await runCli(['export', 'in.json', '-o', 'out.tgz', '--no-such-flag'], flag.io)).toBe(2);
    expect(flag.out.stderr).toMatch(/^kubepkg: .*--no-such-flag.*\nRun kubepkg export --help for usage\.\n$/);
    const level = io();
    expect(await runCli(['export', 'in.json', '-o', 'out.tgz', '--gzip-level', '11'], level.io)).toBe(2);
    expect(level.out.stderr).toContain('--gzip-level must be 0-9');
  });

  it('ends a failed --json run with a summary line naming the error', async () => {
    const { out, io: sink } = io();
    const missing = '/nonexistent/kubepkg.json';
    expect(await runCli(['export', missing, '-o', '/nonexistent/out.tgz', '--json'], sink)).toBe(1);
    const lines = out.stdout.trimEnd().split('\n');
    const summary = JSON.parse(lines.at(-1) as string);
    expect(summary).toMatchObject({ type: 'summary', error: { code: expect.any(String) } });
    expect(out.stderr).toMatch(/^kubepkg: .*\[[A-Z_]+\]\n/);
  });

  it('takes --plain-http HOST, repeatable, in import and serve (never a bare boolean)', async () => {
    const bare = io();
    expect(await runCli(['serve', '--dir', '/tmp/x', '--plain-http'], bare.io)).toBe(2);
    const both = io();
    expect(
      await runCli(
        [
          'import',
          'x.tgz',
          '--registry',
          'r:5000',
          '--dir',
          'd',
          '--plain-http',
          'a:1',
          '--plain-http',
          'b:2',
        ],
        both.io,
      ),
    ).toBe(2);
    expect(both.out.stderr).toContain('exactly one of --dir or --registry');
  });

  it('serve runs until its AbortSignal aborts and installs no signal handlers of its own', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'kubepkg-serve-cli-'));
    const before = process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
    const controller = new AbortController();
    const { out, io: sink } = io();
    const running = runCli(['serve', '--dir', dir, '--addr', '127.0.0.1:0'], {
      ...sink,
      signal: controller.signal,
    });
    while (!out.stderr.includes('serving')) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(process.listenerCount('SIGINT') + process.listenerCount('SIGTERM')).toBe(before);
    controller.abort();
    expect(await running).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('serve takes --tls-cert with --tls-key and --pull-through-token-file with --upstream, and serves HTTPS', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createCertificateAuthority } = await import('@hub/test-env');
    const dir = await mkdtemp(join(tmpdir(), 'kubepkg-serve-tls-'));
    try {
      const lone = io();
      expect(await runCli(['serve', '--dir', dir, '--tls-cert', join(dir, 'c.pem')], lone.io)).toBe(2);
      expect(lone.out.stderr).toContain('--tls-cert and --tls-key together');
      const token = io();
      expect(
        await runCli(['serve', '--dir', dir, '--pull-through-token-file', join(dir, 't')], token.io),
      ).toBe(2);
      expect(token.out.stderr).toContain('--pull-through-token-file guards --upstream');

      const ca = await createCertificateAuthority('kubepkg-cli-test');
      const cert = await ca.issue({ commonName: 'agent', ipAddresses: ['127.0.0.1'], usage: 'server' });
      await writeFile(join(dir, 'tls.crt'), cert.certPem);
      await writeFile(join(dir, 'tls.key'), cert.keyPem);
      const controller = new AbortController();
      const { out, io: sink } = io();
      const args = ['serve', '--dir', dir, '--addr', '127.0.0.1:0'];
      const tls = ['--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key')];
      const running = runCli([...args, ...tls], { ...sink, signal: controller.signal });
      while (!out.stderr.includes('serving')) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(out.stderr).toMatch(/on https:\/\/127\.0\.0\.1:\d+ /);
      controller.abort();
      expect(await running).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads inventories as JSON arrays or lines, and refuses anything else', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseInventory(JSON.stringify([d]))).toEqual([d]);
    expect(parseInventory(`# have\n${d}\n\n`)).toEqual([d]);
    expect(() => parseInventory('{"a":1}', 'inv.json')).toThrow(/inv.json must be a JSON array of digests/);
    expect(() => parseInventory(JSON.stringify([d, 'sha256:bad']))).toThrow(
      /not a digest \(first: "sha256:bad"\)/,
    );
    expect(() => parseInventory('not-a-digest\n')).toThrow(/not a digest/);
  });

  it('refuses a --since package that carries no status.digests', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'kubepkg-since-'));
    const spec = {
      apiVersion: 'octohelm.tech/v1alpha1',
      kind: 'KubePkg',
      metadata: { name: 'demo' },
      spec: { version: '1.0.0', images: {}, manifests: {} },
    };
    await writeFile(join(dir, 'kubepkg.json'), JSON.stringify(spec));
    const { out, io: sink } = io();
    const code = await runCli(
      ['export', join(dir, 'kubepkg.json'), '-o', join(dir, 'out.tgz'), '--since', join(dir, 'kubepkg.json')],
      sink,
    );
    expect(code).toBe(1);
    expect(out.stderr).toContain('lists no status.digests');
    await rm(dir, { recursive: true, force: true });
  });
});

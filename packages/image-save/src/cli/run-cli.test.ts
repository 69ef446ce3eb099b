import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  return { io: { stdout, stderr, env: {}, isTTY: false }, out: () => out, err: () => err };
}

describe('hub-save usage', () => {
  it('prints help with examples', async () => {
    const t = io();
    expect(await runCli(['--help'], t.io)).toBe(0);
    expect(t.out()).toContain('Examples:');
    expect(t.out()).toContain('--all-platforms');
  });

  it('exits 2 on missing --dir, conflicting platform flags, bad concurrency, unknown flags or no images', async () => {
    for (const argv of [
      ['nginx:1'],
      ['--dir', '/tmp/x', '--arch', 'amd64', '--platform', 'linux/arm64', 'nginx:1'],
      ['--dir', '/tmp/x', '--concurrency', '0', 'nginx:1'],
      ['--dir', '/tmp/x', '--frobnicate', 'nginx:1'],
      ['--dir', '/tmp/x'],
      ['--dir', '/tmp/x', '--platform', 'linux//amd64', 'nginx:1'],
      ['--dir', '/tmp/x', '--registry-mirror', 'docker.io', 'nginx:1'],
      ['--dir', '/tmp/x', '--registry-mirror', 'docker.io=https://mirror/x', 'nginx:1'],
    ]) {
      const t = io();
      expect(await runCli(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err()).toMatch(/hub-save: .+\nRun hub-save --help/);
    }
  });
});

describe('hub-save results', () => {
  it('fails a malformed reference with one hub-save: line naming it once and its code, exit 1', async () => {
    const t = io();
    const dir = await import('node:fs/promises').then((f) => f.mkdtemp('/tmp/hub-save-cli-'));
    expect(await runCli(['--dir', dir, 'UPPER/Case:1'], t.io)).toBe(1);
    const line =
      t
        .err()
        .split('\n')
        .find((l) => l.startsWith('hub-save: FAILED')) ?? '';
    expect(line.split('UPPER/Case:1').length - 1).toBe(1);
    expect(line).toMatch(/\[INVALID_REFERENCE\]$/);
    // Results on stdout, diagnostics on stderr.
    expect(t.out()).toMatch(/^0\/1 images saved/);
  });

  it('--json writes NDJSON events and a summary last, nothing else on stdout', async () => {
    const t = io();
    const dir = await import('node:fs/promises').then((f) => f.mkdtemp('/tmp/hub-save-cli-'));
    expect(await runCli(['--dir', dir, '--json', 'UPPER/Case:1'], t.io)).toBe(1);
    const lines = t
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.at(-1)).toMatchObject({ type: 'summary', failed: 1 });
    expect(lines.some((l) => l.type === 'image-done')).toBe(true);
    expect(t.err()).toBe('');
  });
});

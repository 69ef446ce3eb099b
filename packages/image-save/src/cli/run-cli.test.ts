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
    ]) {
      const t = io();
      expect(await runCli(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err()).toMatch(/hub-save: .+\nRun hub-save --help/);
    }
  });
});

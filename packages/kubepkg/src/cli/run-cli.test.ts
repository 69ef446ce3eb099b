import { describe, expect, it } from 'vitest';
import { parseInventory, runCli } from './run-cli.ts';

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (t: string) => {
        out.stdout += t;
      },
      stderr: (t: string) => {
        out.stderr += t;
      },
      env: {},
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

  it('fails clearly on unknown commands and missing arguments', async () => {
    const unknown = io();
    expect(await runCli(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.out.stderr).toContain('unknown command "frobnicate"');
    const missing = io();
    expect(await runCli(['import', 'x.tgz'], missing.io)).toBe(1);
    expect(missing.out.stderr).toContain('exactly one of --dir or --registry');
    expect(missing.out.stderr).toContain('[INVALID_ARGUMENT]');
  });

  it('reads inventories as JSON arrays or lines', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseInventory(JSON.stringify([d]))).toEqual([d]);
    expect(parseInventory(`# have\n${d}\n\n`)).toEqual([d]);
  });
});

// Every CLI starts from a committed bin/<cli>.js that checks the Node version before anything else
// (docs/development.md, "CLIs"): an old Node gets one line and exit 2, Node 24 gets the help.
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { MIN_NODE_VERSION, nodeVersionProblem } from '@hub/api-types/launch-cli';
import { describe, expect, it } from 'vitest';
import { listCliBins } from './cli-bins.ts';

const root = resolve(import.meta.dirname, '../../..');
const bins = listCliBins(root);
const tracked = new Set(
  execFileSync('git', ['ls-files', 'packages'], { cwd: root, encoding: 'utf8' }).split('\n'),
);
/** The machine's own Node (20 on the target machine); HUB_OLD_NODE names another one below 22.19. */
const oldNode = process.env.HUB_OLD_NODE ?? '/usr/bin/node';

function run(node: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(node, args, { cwd: root, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('nodeVersionProblem', () => {
  it('accepts 22.19 and newer, and names both versions otherwise', () => {
    expect(nodeVersionProblem('x', '22.19.0')).toBeUndefined();
    expect(nodeVersionProblem('x', '24.0.0')).toBeUndefined();
    expect(nodeVersionProblem('x', '23.0.0')).toBeUndefined();
    expect(nodeVersionProblem('x', '22.18.9')).toMatch(/^x: Node 22\.18\.9 found, Node >= 22\.19 required/);
    expect(nodeVersionProblem('x', '20.20.2')).toContain('20.20.2');
    expect(nodeVersionProblem('x', '4.0.0')).toBeDefined();
  });
});

describe('CLI bins', { timeout: 60_000 }, () => {
  it('lists the known CLIs', () => {
    expect(bins.map((b) => b.name)).toEqual(expect.arrayContaining(['hub-save', 'kubepkg', 'hub-testenv']));
  });

  it.each(bins.map((b) => [b.name, b] as const))(
    '%s: committed bin/<cli>.js, executable, published',
    (_, bin) => {
      expect(bin.target).toBe(`./bin/${bin.name}.js`);
      expect(tracked.has(`${bin.packageDir}/bin/${bin.name}.js`), 'commit the bin file').toBe(true);
      accessSync(join(root, bin.packageDir, bin.target), constants.X_OK);
      expect(bin.engines).toBe(`>=${MIN_NODE_VERSION}`);
      if (!bin.private) expect(bin.files).toContain('bin');
    },
  );

  it.each(bins.map((b) => [b.name, b] as const))(
    '%s on the old system Node: one line, exit 2',
    async (name, bin) => {
      const version = (await run(oldNode, ['--version'])).stdout.trim();
      expect(
        nodeVersionProblem('node', version.slice(1)),
        `${oldNode} must be older than 22.19`,
      ).toBeDefined();
      const result = await run(oldNode, [join(root, bin.packageDir, bin.target), '--help']);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`${nodeVersionProblem(name, version.slice(1))}\n`);
    },
  );

  it.each(bins.map((b) => [b.name, b] as const))('%s --help on Node 24: usage, exit 0', async (name, bin) => {
    const result = await run(process.execPath, [join(root, bin.packageDir, bin.target), '--help']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(name);
    expect(result.stdout).toMatch(/usage/i);
  });

  // One usage-error form for every CLI (reportUsage of @hub/api-types/cli), so scripts and people read one shape.
  it.each(bins.map((b) => [b.name, b] as const))(
    '%s with an unknown flag on Node 24: the problem, where to read the usage, exit 2',
    async (name, bin) => {
      const result = await run(process.execPath, [join(root, bin.packageDir, bin.target), '--no-such-flag']);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(`^${name}: [^\\n]*no-such-flag[^\\n]*\\nRun ${name} --help for usage\\.\\n$`),
      );
    },
  );
});

// Issue 9: the CLIs as a newcomer meets them. A git clone of HEAD, `npm ci` with the machine's own
// Node and npm (from npm's cache, so it stays fast and offline), then every CLI's `--help` through
// `npx --no-install`: first before any build (the bins run the TypeScript source), then after
// building the CLI packages (the bins run dist/). Bins are read from the clone's package.json files,
// so CLIs added later are covered without touching this test. About 2 minutes, most of it npm ci.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliBin, listCliBins } from './cli-bins.ts';

const root = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'hub-fresh-clone-'));
const clone = join(dir, 'hub');
/** The machine's PATH without any project's node_modules/.bin: what a newcomer's shell has. */
const machinePath = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((entry) => !entry.includes('node_modules'))
  .join(delimiter);
const env = {
  ...process.env,
  PATH: machinePath,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  // The checkout's nx cache: in CI `npm test` has just built the same sources there, so the clone's
  // build is restored from it in seconds (the same command, the same outputs) instead of taking minutes.
  NX_CACHE_DIRECTORY: join(root, '.nx/cache'),
};
let bins: CliBin[] = [];

function sh(command: string, args: string[], timeout = 600_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      command,
      args,
      { cwd: clone, env, timeout, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
async function ok(command: string, args: string[]) {
  const result = await sh(command, args);
  expect(result.code, `${command} ${args.join(' ')}:\n${(result.stdout + result.stderr).slice(-4000)}`).toBe(
    0,
  );
  return result;
}
async function expectHelp(bin: CliBin) {
  const result = await sh('npx', ['--no-install', bin.name, '--help'], 60_000);
  expect(result.code, `npx --no-install ${bin.name} --help:\n${result.stderr}`).toBe(0);
  expect(result.stdout).toMatch(/usage/i);
}

describe('a fresh clone', () => {
  beforeAll(async () => {
    const cloned = await new Promise<number>((done) =>
      execFile('git', ['clone', '--quiet', root, clone], { env }, (error) => done(error ? 1 : 0)),
    );
    expect(cloned).toBe(0);
    bins = listCliBins(clone);
    const offline = await sh('npm', ['ci', '--offline', '--no-audit', '--no-fund']);
    if (offline.code !== 0) await ok('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund']);
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('links every CLI, and each answers --help before any build', async () => {
    expect(bins.map((b) => b.name)).toEqual(expect.arrayContaining(['hub-save', 'kubepkg', 'hub-testenv']));
    for (const bin of bins) {
      expect(existsSync(join(clone, 'node_modules/.bin', bin.name)), `${bin.name} is linked`).toBe(true);
      await expectHelp(bin);
    }
  }, 300_000);

  it('builds the CLI packages, and each CLI answers --help from dist/', async () => {
    const projects = [...new Set(bins.map((b) => b.packageName))];
    await ok('npx', [
      '--no-install',
      'nx',
      'run-many',
      '-t',
      'build',
      '-p',
      ...projects,
      '--outputStyle=stream',
    ]);
    for (const bin of bins) {
      expect(existsSync(join(clone, bin.packageDir, 'dist')), `${bin.packageDir}/dist`).toBe(true);
      await expectHelp(bin);
    }
  }, 600_000);
});

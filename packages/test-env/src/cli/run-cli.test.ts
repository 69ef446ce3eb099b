import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHubError } from '@hub/api-types/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { isTestEnvError, TestEnvError } from '../errors.ts';
import { HELP, runCli } from './run-cli.ts';

function io(env: Record<string, string | undefined> = {}) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
      env,
      isTTY: false,
    },
  };
}

const assets = mkdtempSync(join(tmpdir(), 'hub-testenv-cli-'));
for (const name of ['kube-apiserver', 'etcd']) {
  writeFileSync(join(assets, name), '#!/bin/sh\n');
  chmodSync(join(assets, name), 0o755);
}
afterAll(() => rmSync(assets, { recursive: true, force: true }));

describe('hub-testenv runCli', () => {
  it('prints the help on stdout with exit 0', async () => {
    const { io: cli, out } = io();
    expect(await runCli(['--help'], cli)).toBe(0);
    expect(out.stdout).toBe(HELP);
    expect(out.stderr).toBe('');
  });

  it.each([
    [[], 'no command given'],
    [['down'], 'unknown command "down"'],
    [['up', '--bogus'], "Unknown option '--bogus'"],
    [['up', 'extra'], 'unexpected argument "extra"'],
    [['up', '--seed', 's'], '--seed needs --fixtures'],
  ])('exits 2 on bad usage %j with the problem and where to read the usage', async (argv, problem) => {
    const { io: cli, out } = io();
    expect(await runCli(argv, cli)).toBe(2);
    expect(out.stderr).toMatch(
      new RegExp(
        `^hub-testenv: .*${problem.replace(/[-[\]"'.*]/g, '\\$&')}.*\\nRun hub-testenv --help for usage\\.\\n$`,
      ),
    );
    expect(out.stdout).toBe('');
  });

  it('build --json: NDJSON whose last line is the summary', async () => {
    const { io: cli, out } = io({ KUBEBUILDER_ASSETS: assets });
    expect(await runCli(['build', '--json'], cli)).toBe(0);
    const events = out.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.at(-1)).toMatchObject({
      type: 'summary',
      ok: true,
      source: 'KUBEBUILDER_ASSETS',
      kubeApiserver: join(assets, 'kube-apiserver'),
    });
  });

  it('a failure exits 1 with the code, and a failed summary with --json', async () => {
    const { io: cli, out } = io({ KUBEBUILDER_ASSETS: join(assets, 'missing') });
    expect(await runCli(['build', '--json'], cli)).toBe(1);
    expect(JSON.parse(out.stdout.trimEnd().split('\n').at(-1) ?? '')).toMatchObject({
      type: 'summary',
      ok: false,
      code: 'BINARY_NOT_FOUND',
    });
    expect(out.stderr).toMatch(/^hub-testenv: .*missing\/kube-apiserver.* \(BINARY_NOT_FOUND\)\n$/);
  });
});

describe('TestEnvError', () => {
  it('is a HubError with a brand guard and retryable from its code', () => {
    const slow = new TestEnvError('START_TIMEOUT', 'etcd did not start', { output: 'tail' });
    expect(isHubError(slow) && isTestEnvError(slow)).toBe(true);
    expect(slow.retryable).toBe(true);
    expect(slow.output).toBe('tail');
    expect(new TestEnvError('BINARY_NOT_FOUND', 'x').retryable).toBe(false);
    expect(isTestEnvError(new Error('x'))).toBe(false);
  });
});

// scripts/hub.sh as a newcomer meets it (issue 14): one line per phase; a failed phase names itself,
// the log file and its last 30 lines, and exits non-zero; a cached setup prints one "ready" line.
// Runs the real scripts in a throwaway copy of the repository layout, with a failing step on PATH.
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
let repo: string;
let cache: string;
let fakeBin: string;

function copy(path: string) {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  cpSync(join(root, path), join(repo, path));
}
function fake(name: string, script: string) {
  writeFileSync(join(fakeBin, name), `#!/usr/bin/env bash\n${script}\n`);
  chmodSync(join(fakeBin, name), 0o755);
}
function installed() {
  // What a finished `npm ci` leaves: the project's Node and a stamp newer than the lockfile.
  mkdirSync(join(repo, 'node_modules/.bin'), { recursive: true });
  symlinkSync(process.execPath, join(repo, 'node_modules/.bin/node'));
  writeFileSync(join(repo, 'node_modules/.hub-install-stamp'), '');
}
function hub(args: string[], path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      'bash',
      [join(repo, 'scripts/hub.sh'), ...args],
      {
        env: { HOME: repo, PATH: path, HUB_TESTENV_CACHE: cache, HUB_K8S_VERSION: 'v1.99.0' },
        timeout: 60_000,
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'hub-setup-'));
  cache = join(repo, 'cache');
  fakeBin = join(repo, 'fake-bin');
  mkdirSync(fakeBin);
  for (const file of ['scripts/hub.sh', 'scripts/setup-system.sh', 'packages/test-env/go/build-binaries.sh'])
    copy(file);
  writeFileSync(join(repo, 'package-lock.json'), '{}');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('scripts/hub.sh setup', () => {
  it('names the failed phase, the log and its last 30 lines, and exits 1', async () => {
    fake('npm', 'for i in $(seq 1 40); do echo "npm error line $i"; done; exit 1');
    const result = await hub(['setup'], `${fakeBin}:/usr/bin:/bin`);
    expect(result.code).toBe(1);
    const log = /details: (\S+\.log)/.exec(result.stderr)?.[1] ?? '';
    expect(log.startsWith(join(cache, 'logs/'))).toBe(true);
    expect(result.stderr).toContain('✗ npm packages (npm ci) failed after');
    expect(result.stderr).toContain(`log: ${log}`);
    expect(result.stderr).toContain('| npm error line 40');
    expect(result.stderr).toContain('| npm error line 11\n');
    expect(result.stderr).not.toContain('| npm error line 10\n');
    expect(readFileSync(log, 'utf8')).toContain('npm error line 1\n');
    expect(result.stderr).not.toContain('ready');
  });

  it('says what to do when Go is missing', async () => {
    installed();
    const result = await hub(['setup'], `${join(repo, 'node_modules/.bin')}:/usr/bin:/bin`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('✗ system packages (docker-registry, skopeo, Go) failed');
    expect(result.stderr).toContain('Go is not on PATH: install Go 1.26 or newer');
  });

  it('ends `npm test` with the summary line when setup fails', async () => {
    fake('npm', 'echo "npm error offline"; exit 1');
    const result = await hub(['test'], `${fakeBin}:/usr/bin:/bin`);
    expect(result.code).toBe(1);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed');
  });

  it('prints one "ready" line when everything is cached', async () => {
    installed();
    fake('go', 'echo "go version go1.26.0 linux/amd64"; [ "$1" = env ] && echo go1.26.0');
    for (const binary of ['bin/k8s-v1.99.0/kube-apiserver', 'bin/etcd-v3.9.9/etcd']) {
      mkdirSync(dirname(join(cache, binary)), { recursive: true });
      writeFileSync(join(cache, binary), '');
      chmodSync(join(cache, binary), 0o755);
    }
    writeFileSync(join(cache, 'bin/k8s-v1.99.0/etcd-version'), 'v3.9.9\n');
    const result = await hub(['setup'], `${join(repo, 'node_modules/.bin')}:${fakeBin}:/usr/bin:/bin`);
    expect(result.stderr).toBe('ready (npm packages, system packages and control plane cached)\n');
    expect(result.code).toBe(0);
  });
});

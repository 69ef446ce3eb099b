import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TestEnvError } from '../errors.ts';

/** Where the control-plane binaries came from. */
export type BinarySource = 'KUBEBUILDER_ASSETS' | 'TEST_ASSET' | 'build' | 'debian-etcd-fallback';

/** Paths of the kube-apiserver and etcd binaries the control plane runs. */
export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
  source: BinarySource;
}

/** Debian's `etcd-server` binary (3.4.23, below Kubernetes' supported minimum): a last resort only. */
export const DEBIAN_ETCD = '/usr/bin/etcd';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Binaries named by the environment, following envtest: `TEST_ASSET_KUBE_APISERVER` / `TEST_ASSET_ETCD`
 * win per binary, else `KUBEBUILDER_ASSETS/<name>` (the setup-envtest layout). Returns undefined unless both
 * binaries are named; throws when a named path is not an executable file.
 */
export function binariesFromEnvironment(
  env: NodeJS.ProcessEnv,
  executable: (path: string) => boolean = isExecutable,
): ControlPlaneBinaries | undefined {
  const assets = env.KUBEBUILDER_ASSETS;
  const apiserver = env.TEST_ASSET_KUBE_APISERVER ?? (assets ? join(assets, 'kube-apiserver') : undefined);
  const etcd = env.TEST_ASSET_ETCD ?? (assets ? join(assets, 'etcd') : undefined);
  if (apiserver === undefined || etcd === undefined) return undefined;
  for (const [variable, path] of [
    ['kube-apiserver', apiserver],
    ['etcd', etcd],
  ] as const) {
    if (!executable(path)) {
      throw new TestEnvError(
        'BINARY_NOT_FOUND',
        `${variable} binary ${path} (from ${env.TEST_ASSET_KUBE_APISERVER || env.TEST_ASSET_ETCD ? 'TEST_ASSET_*' : 'KUBEBUILDER_ASSETS'}) is not an executable file: fix the variable or unset it to build the binaries`,
      );
    }
  }
  const source: BinarySource =
    env.TEST_ASSET_KUBE_APISERVER !== undefined || env.TEST_ASSET_ETCD !== undefined
      ? 'TEST_ASSET'
      : 'KUBEBUILDER_ASSETS';
  return { kubeApiserver: apiserver, etcd, source };
}

/** Parses the `KUBE_APISERVER=…` / `ETCD=…` lines that go/build-binaries.sh prints last. */
export function parseBuildOutput(stdout: string): { kubeApiserver?: string; etcd?: string } {
  const result: { kubeApiserver?: string; etcd?: string } = {};
  for (const line of stdout.split('\n')) {
    const match = /^(KUBE_APISERVER|ETCD)=(.+)$/.exec(line.trim());
    if (match?.[1] === 'KUBE_APISERVER' && match[2]) result.kubeApiserver = match[2];
    if (match?.[1] === 'ETCD' && match[2]) result.etcd = match[2];
  }
  return result;
}

/** Finds go/build-binaries.sh from both src/ (tests) and dist/ (the built CLI). */
export function buildScriptPath(from: string = import.meta.dirname, script = 'build-binaries.sh'): string {
  let dir = from;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'go', script);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new TestEnvError('BINARY_NOT_FOUND', `go/${script} not found above ${from}`);
}

/** Options of {@link ensureBinaries}. */
export interface EnsureBinariesOptions {
  /** Environment to read; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Receives each progress line of the build; defaults to writing to stderr. */
  onProgress?: (line: string) => void;
  /** Receives warnings such as the Debian etcd fallback; defaults to `console.warn`. */
  onWarning?: (message: string) => void;
}

/**
 * Resolves kube-apiserver and etcd: from `KUBEBUILDER_ASSETS` / `TEST_ASSET_*`, else by running
 * go/build-binaries.sh (instant when the versioned cache under ~/.cache/hub-testenv is warm; a cold build
 * takes minutes and streams its progress). Debian's etcd 3.4.23 is used only when building etcd failed but
 * kube-apiserver is available, with a warning.
 */
export async function ensureBinaries(options: EnsureBinariesOptions = {}): Promise<ControlPlaneBinaries> {
  const env = options.env ?? process.env;
  const fromEnv = binariesFromEnvironment(env);
  if (fromEnv) return fromEnv;
  const onProgress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const onWarning = options.onWarning ?? ((message: string) => console.warn(message));
  const script = buildScriptPath();
  const { code, stdout, stderrTail } = await runBuild(script, env, onProgress);
  const built = parseBuildOutput(stdout);
  if (code === 0 && built.kubeApiserver && built.etcd) {
    return { kubeApiserver: built.kubeApiserver, etcd: built.etcd, source: 'build' };
  }
  if (built.kubeApiserver && isExecutable(built.kubeApiserver) && isExecutable(DEBIAN_ETCD)) {
    onWarning(
      `[hub-testenv] WARNING: building etcd failed; falling back to Debian's ${DEBIAN_ETCD} (3.4.23), which is below Kubernetes' supported minimum`,
    );
    return { kubeApiserver: built.kubeApiserver, etcd: DEBIAN_ETCD, source: 'debian-etcd-fallback' };
  }
  throw new TestEnvError(
    'BUILD_FAILED',
    `${script} exited with ${code}: install Go 1.26 (scripts/setup-system.sh checks it) or set KUBEBUILDER_ASSETS to a directory holding kube-apiserver and etcd`,
    { output: stderrTail },
  );
}

/** Runs one of the go/*.sh build scripts, streaming its stderr lines to `onProgress`. */
export function runBuild(
  script: string,
  env: NodeJS.ProcessEnv,
  onProgress: (line: string) => void,
): Promise<{ code: number | null; stdout: string; stderrTail: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderrTail = (stderrTail + text).slice(-8192);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onProgress(line);
    });
    child.once('error', (error) =>
      reject(new TestEnvError('BUILD_FAILED', `could not run ${script}: ${error.message}`, { cause: error })),
    );
    child.once('close', (code) => {
      if (pending) onProgress(pending);
      resolve({ code, stdout, stderrTail });
    });
  });
}

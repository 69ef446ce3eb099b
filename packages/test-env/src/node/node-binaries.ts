import { accessSync, constants } from 'node:fs';
import { buildScriptPath, runBuild } from '../binaries/resolve-binaries.ts';
import { TestEnvError } from '../errors.ts';

/** Everything a test node runs, besides the control plane. */
export interface NodeBinaries {
  kubelet: string;
  kubeScheduler: string;
  kubeControllerManager: string;
  kubeProxy: string;
  containerd: string;
  containerdShimRuncV2: string;
  coredns: string;
  /** The static program behind the pause image and the test app image (go/node/images). */
  nodeImages: string;
  /** Debian's runc and CNI plugins (scripts/setup-system.sh). */
  runc: string;
  cniBinDir: string;
}

const DEBIAN = { runc: '/usr/sbin/runc', cniBinDir: '/usr/lib/cni' } as const;
const KEYS = {
  KUBELET: 'kubelet',
  KUBE_SCHEDULER: 'kubeScheduler',
  KUBE_CONTROLLER_MANAGER: 'kubeControllerManager',
  KUBE_PROXY: 'kubeProxy',
  CONTAINERD: 'containerd',
  CONTAINERD_SHIM_RUNC_V2: 'containerdShimRuncV2',
  COREDNS: 'coredns',
  NODE_IMAGES: 'nodeImages',
} as const;

/** Parses the `NAME=path` lines go/build-node-binaries.sh prints last. */
export function parseNodeBuildOutput(stdout: string): Partial<NodeBinaries> {
  const found: Partial<Record<string, string>> = {};
  for (const line of stdout.split('\n')) {
    const match = /^([A-Z_0-9]+)=(.+)$/.exec(line.trim());
    const key = match?.[1] ? KEYS[match[1] as keyof typeof KEYS] : undefined;
    if (key && match?.[2]) found[key] = match[2];
  }
  return found as Partial<NodeBinaries>;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds (or finds cached) the node's Go binaries with go/build-node-binaries.sh and checks Debian's runc and
 * CNI plugins. Instant when ~/.cache/hub-testenv is warm.
 */
export async function ensureNodeBinaries(
  options: { env?: NodeJS.ProcessEnv; onProgress?: (line: string) => void } = {},
): Promise<NodeBinaries> {
  const env = options.env ?? process.env;
  for (const [what, path] of [
    ['runc', DEBIAN.runc],
    ['the CNI bridge plugin', `${DEBIAN.cniBinDir}/bridge`],
  ] as const) {
    if (!executable(path))
      throw new TestEnvError(
        'BINARY_NOT_FOUND',
        `${what} (${path}) is missing: run scripts/setup-system.sh (installs runc and containernetworking-plugins)`,
      );
  }
  const script = buildScriptPath(import.meta.dirname, 'build-node-binaries.sh');
  const onProgress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { code, stdout, stderrTail } = await runBuild(script, env, onProgress);
  const found = parseNodeBuildOutput(stdout);
  const missing = Object.values(KEYS).filter((key) => !found[key] || !executable(found[key] as string));
  if (code !== 0 || missing.length > 0) {
    throw new TestEnvError(
      'BUILD_FAILED',
      `${script} exited with ${code}${missing.length ? ` (missing: ${missing.join(', ')})` : ''}: see the log under ~/.cache/hub-testenv/logs/`,
      { output: stderrTail },
    );
  }
  return { ...(found as Omit<NodeBinaries, 'runc' | 'cniBinDir'>), ...DEBIAN };
}

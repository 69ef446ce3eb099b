import { TestEnvError } from '../errors.ts';
import { buildScriptPath, runBuild } from './resolve-binaries.ts';

/** Paths of the helm and kustomize binaries the deploy tests render with. */
export interface DeployTools {
  helm: string;
  kustomize: string;
}

/**
 * Resolves helm and kustomize: `HUB_HELM` / `HUB_KUSTOMIZE` when set, else go/build-deploy-tools.sh,
 * which builds them from Go modules into ~/.cache/hub-testenv (instant when cached).
 */
export async function ensureDeployTools(
  options: { env?: NodeJS.ProcessEnv; onProgress?: (line: string) => void } = {},
): Promise<DeployTools> {
  const env = options.env ?? process.env;
  if (env.HUB_HELM && env.HUB_KUSTOMIZE) return { helm: env.HUB_HELM, kustomize: env.HUB_KUSTOMIZE };
  const script = buildScriptPath(import.meta.dirname, 'build-deploy-tools.sh');
  const onProgress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { code, stdout } = await runBuild(script, env, onProgress);
  const helm = /^HELM=(.+)$/m.exec(stdout)?.[1];
  const kustomize = /^KUSTOMIZE=(.+)$/m.exec(stdout)?.[1];
  if (code !== 0 || !helm || !kustomize) {
    throw new TestEnvError(
      'BUILD_FAILED',
      `${script} exited with ${code}: install Go 1.26 (scripts/setup-system.sh checks it) or set HUB_HELM and HUB_KUSTOMIZE`,
    );
  }
  return { helm, kustomize };
}

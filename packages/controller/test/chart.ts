// The Helm chart rendered by the real helm (built from Go modules by @hub/test-env), for the deploy
// and RBAC fence tests.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export const chartDir = join(import.meta.dirname, '..', 'deploy', 'chart', 'hub-controller');
export const chartNamespace = 'imagehub-system';
// Keeps helm away from the user's own cache and repositories.
const helmHome = { HELM_CACHE_HOME: '/tmp/hub-helm-cache', HELM_CONFIG_HOME: '/tmp/hub-helm-config' };

export type Manifest = KubernetesObject & Record<string, unknown>;

export async function runHelm(helm: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(helm, args, {
    env: { ...process.env, ...helmHome },
    maxBuffer: 32 << 20,
  });
  return stdout;
}

export function manifestsOf(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null && typeof doc === 'object' && 'kind' in doc);
}

/** `helm template hub` of the chart in imagehub-system, CRDs included, with `--set` values. */
export async function renderChart(helm: string, ...set: string[]): Promise<Manifest[]> {
  const args = ['template', 'hub', chartDir, '--namespace', chartNamespace, '--include-crds'];
  for (const value of set) args.push('--set', value);
  return manifestsOf(await runHelm(helm, ...args));
}

export const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);

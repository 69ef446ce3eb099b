import type { TestProject } from 'vitest/node';
import { type HubTestEnv, startHubTestEnv } from '../environment/start-environment.ts';
import type { HubTestEnvContext } from './provided-context.ts';

export type { HubTestEnvContext } from './provided-context.ts';

interface Shared {
  env: Promise<{ env: HubTestEnv; context: HubTestEnvContext }> | undefined;
  users: number;
}

// Every `<pkg>:integration` project lists this file; vitest may load it once per project, so the one control plane
// and registry of a run live on globalThis rather than in module scope.
const KEY = Symbol.for('@hub/test-env/global-setup');
const registry = globalThis as Record<symbol, unknown>;
registry[KEY] ??= { env: undefined, users: 0 } satisfies Shared;
const shared = registry[KEY] as Shared;

async function start(): Promise<{ env: HubTestEnv; context: HubTestEnvContext }> {
  const started = Date.now();
  const largeLayerBytes = Number(process.env.HUB_TESTENV_LARGE_LAYER_BYTES ?? 8 * 1024 * 1024);
  const env = await startHubTestEnv({ fixtures: { largeLayerBytes } });
  if (!env.fixtures) throw new Error('fixtures were not pushed');
  process.stderr.write(
    `[hub-testenv] control plane ${env.controlPlane.server} (ready in ${env.controlPlane.startMs} ms), registry ${env.registry.host}, ready in ${Date.now() - started} ms\n`,
  );
  return {
    env,
    context: {
      kubeconfigPath: env.controlPlane.kubeconfigPath,
      apiServer: env.controlPlane.server,
      registry: env.registry.host,
      registryStorageDir: env.registry.storageDir,
      fixtures: env.fixtures,
    },
  };
}

/**
 * Vitest global setup shared by every integration project: starts ONE control plane (hub CRDs installed) and ONE
 * registry with the standard fixtures per run, provides them as `hubTestEnv`, and stops them when the last project
 * tears down. Vitest runs it only for projects that have test files selected, so `--project '*:unit'` starts nothing.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.users++;
  shared.env ??= start();
  let ready: { env: HubTestEnv; context: HubTestEnvContext };
  try {
    ready = await shared.env;
  } catch (error) {
    shared.users--;
    if (shared.users === 0) shared.env = undefined;
    throw error;
  }
  project.provide('hubTestEnv', ready.context);
  return async () => {
    shared.users--;
    if (shared.users > 0) return;
    shared.env = undefined;
    await ready.env.stop();
  };
}

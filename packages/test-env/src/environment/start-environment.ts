import { buildCustomResourceDefinitions } from '@hub/api-types';
import { type ControlPlane, startControlPlane } from '../control-plane/start-control-plane.ts';
import { type FixtureCatalogue, pushStandardCorpus } from '../fixtures/corpus.ts';
import { type Registry, startRegistry } from '../registry/start-registry.ts';

/** Options of {@link startHubTestEnv}. */
export interface HubTestEnvOptions {
  /** Install the hub CRDs from `buildCustomResourceDefinitions()` (default true). */
  crds?: boolean;
  /** Push the standard fixture corpus (default false). */
  fixtures?: boolean | { seed?: string; largeLayerBytes?: number };
  onProgress?: (line: string) => void;
}

/** A control plane with the hub CRDs, a registry and optionally the pushed fixture corpus. */
export interface HubTestEnv extends AsyncDisposable {
  controlPlane: ControlPlane;
  registry: Registry;
  fixtures: FixtureCatalogue | undefined;
  stop(): Promise<void>;
}

/** Starts everything `hub-testenv up` and the vitest global setup provide, in parallel where possible. */
export async function startHubTestEnv(options: HubTestEnvOptions = {}): Promise<HubTestEnv> {
  const [cp, reg] = await Promise.allSettled([
    startControlPlane(options.onProgress ? { onProgress: options.onProgress } : {}),
    startRegistry(),
  ]);
  const stopBoth = async () => {
    if (cp.status === 'fulfilled') await cp.value.stop();
    if (reg.status === 'fulfilled') await reg.value.stop();
  };
  if (cp.status === 'rejected' || reg.status === 'rejected') {
    await stopBoth();
    throw cp.status === 'rejected' ? cp.reason : (reg as PromiseRejectedResult).reason;
  }
  try {
    const fixtureOptions = typeof options.fixtures === 'object' ? options.fixtures : {};
    const [, fixtures] = await Promise.all([
      options.crds === false
        ? undefined
        : cp.value.installCRDs(buildCustomResourceDefinitions() as unknown as Record<string, unknown>[]),
      options.fixtures ? pushStandardCorpus(reg.value.host, fixtureOptions) : undefined,
    ]);
    return {
      controlPlane: cp.value,
      registry: reg.value,
      fixtures,
      stop: stopBoth,
      [Symbol.asyncDispose]: stopBoth,
    };
  } catch (error) {
    await stopBoth();
    throw error;
  }
}

import { sleep } from '@hub/api-types/retry';
import { type FlagValues, intFlag } from '../cli/flag-table.ts';
import type { Manager } from '../manager.ts';
import { createController } from '../runtime/controller.ts';
import { installCrds } from '../runtime/install-crds.ts';
import type { Logger } from '../runtime/logger.ts';
import { createApiDiscovery } from './api-discovery.ts';
import { createKubePkgKubeClient } from './kubepkg-kube-client.ts';
import { kubePkgReconciler } from './kubepkg-reconciler.ts';

/** The field manager of everything the KubePkg controller applies (its own, never the catalogue's). */
export const KUBEPKG_FIELD_MANAGER = 'hub-controller-kubepkg';

async function whenLeading(manager: Manager, signal: AbortSignal): Promise<void> {
  // The manager's elector starts the catalogue controllers itself; a feature waits for the same lease.
  while (!manager.isLeader()) await sleep(500, signal);
}

/**
 * Runs the KubePkg controller on the manager's runtime (shared informers, work queue, metrics, the same Lease):
 * it waits for the caches and for leadership, then reconciles until stopped or the CLI's signal aborts.
 */
export async function startKubePkgController(
  values: FlagValues,
  manager: Manager,
  log: Logger,
  signal: AbortSignal,
) {
  if (values['install-crds'] === 'true') {
    // --install-crds installs what this replica serves: the KubePkg CRD too, before its informer lists.
    const { kubePkgCustomResourceDefinition } = await import('@hub/kubepkg/spec');
    const names = await installCrds(manager.transport, { crds: [kubePkgCustomResourceDefinition()], signal });
    log.info('CRDs applied and established', { crds: names });
  }
  const stop = new AbortController();
  const abortInFlight = new AbortController();
  const discovery = createApiDiscovery(manager.transport);
  const controller = createController({
    definition: kubePkgReconciler({ factory: manager.factory, registry: values['kubepkg-registry'] }),
    factory: manager.factory,
    client: (reconcileSignal) =>
      createKubePkgKubeClient({
        transport: manager.transport,
        discovery,
        fieldManager: KUBEPKG_FIELD_MANAGER,
        // A replica that lost the lease writes nothing more (the manager exits right after).
        mayWrite: () => manager.isLeader() && !abortInFlight.signal.aborted,
        signal: reconcileSignal,
      }),
    metrics: manager.metrics,
    log,
    concurrency: intFlag(values, 'concurrency'),
  });
  const stopNow = () => stop.abort();
  signal.addEventListener('abort', stopNow, { once: true });
  const running = (async () => {
    try {
      await manager.factory.waitForSync(stop.signal);
      await whenLeading(manager, stop.signal);
    } catch {
      return;
    }
    controller.watch();
    log.info('starting controllers', { controllers: [controller.name] });
    await controller.run(stop.signal, abortInFlight.signal);
  })();
  return {
    async stop() {
      signal.removeEventListener('abort', stopNow);
      stop.abort();
      // Reconciles in flight get a bounded drain, as the catalogue's do.
      const drained = await Promise.race([running.then(() => true), sleep(30_000).then(() => false)]);
      if (!drained) {
        abortInFlight.abort();
        await running;
      }
    },
  };
}

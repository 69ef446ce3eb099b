import { buildCustomResourceDefinitions } from '@hub/api-types';
import { type ControlPlane, startControlPlane } from '../control-plane/start-control-plane.ts';
import { type FixtureCatalogue, pushStandardCorpus } from '../fixtures/corpus.ts';
import { createNodeNamespace, type NodeNamespace } from '../node/node-namespace.ts';
import { type NodeOptions, startNode, type TestNode } from '../node/start-node.ts';
import { type Registry, startRegistry } from '../registry/start-registry.ts';

/** Options of {@link startHubTestEnv}. */
export interface HubTestEnvOptions {
  /** Install the hub CRDs from `buildCustomResourceDefinitions()` (default true). */
  crds?: boolean;
  /** Push the standard fixture corpus (default false). */
  fixtures?: boolean | { seed?: string; largeLayerBytes?: number };
  /**
   * Add a real node (kubelet, containerd, kube-proxy, CoreDNS; kube-scheduler and kube-controller-manager):
   * the control plane and the registry then listen on the node's host address, not 127.0.0.1.
   */
  node?: boolean | Omit<NodeOptions, 'onProgress'>;
  onProgress?: (line: string) => void;
}

/** A control plane with the hub CRDs, a registry and optionally the pushed fixture corpus. */
export interface HubTestEnv extends AsyncDisposable {
  controlPlane: ControlPlane;
  registry: Registry;
  fixtures: FixtureCatalogue | undefined;
  /** The node, with the `node` option. */
  node: TestNode | undefined;
  stop(): Promise<void>;
}

/** Starts everything `hub-testenv up` and the vitest global setup provide, in parallel where possible. */
export async function startHubTestEnv(options: HubTestEnvOptions = {}): Promise<HubTestEnv> {
  const namespace: NodeNamespace | undefined = options.node ? await createNodeNamespace() : undefined;
  const plan = namespace?.plan;
  const [cp, reg] = await Promise.allSettled([
    startControlPlane({
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(plan
        ? {
            node: {
              address: plan.hostIp,
              serviceClusterIpRange: plan.serviceCidr,
              kubernetesServiceIp: plan.kubernetesServiceIp,
            },
          }
        : {}),
    }),
    startRegistry(plan ? { host: plan.hostIp } : {}),
  ]);
  let node: TestNode | undefined;
  const stopBoth = async () => {
    // The servers are unref'd children: without this, a CLI whose last handle was its wait would exit mid-stop.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      // The node first (its pods, then its namespaces), so nothing of it talks to a stopped apiserver for long;
      // each step runs even when an earlier one failed.
      const steps = [
        () => (node ? node.stop() : namespace?.teardown()),
        () => (cp.status === 'fulfilled' ? cp.value.stop() : undefined),
        () => (reg.status === 'fulfilled' ? reg.value.stop() : undefined),
      ];
      const failures: unknown[] = [];
      for (const step of steps) await Promise.resolve(step()).catch((error: unknown) => failures.push(error));
      if (failures.length > 0) throw failures[0];
    } finally {
      clearInterval(keepAlive);
    }
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
      namespace
        ? startNode(cp.value, reg.value, namespace, {
            ...(typeof options.node === 'object' ? options.node : {}),
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          }).then((started) => {
            node = started;
          })
        : undefined,
    ]);
    return {
      controlPlane: cp.value,
      registry: reg.value,
      fixtures,
      node,
      stop: stopBoth,
      [Symbol.asyncDispose]: stopBoth,
    };
  } catch (error) {
    await stopBoth();
    throw error;
  }
}

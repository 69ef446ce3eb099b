// Shared helpers of the controller's integration tests: a control plane of their own (the
// controller registers cluster-wide webhooks, which must not reach other packages' tests on the
// shared one), an admin transport, and polling with deadlines instead of sleeps.
import { buildCustomResourceDefinitions } from '@hub/api-types';
import {
  collectionPath,
  createKubeTransport,
  isKubeApiError,
  KUBE_RESOURCES,
  type KubeTransport,
  objectPath,
} from '@hub/datapack';
import { type CatalogueKind, catalogueAdmission, catalogueReconcilers } from '@hub/reconcilers';
import { type ControlPlane, startControlPlane } from '@hub/test-env';
import type { KubeConfig } from '@kubernetes/client-node';
import { createLogger, type Manager, type ManagerOptions, startManager } from '../src/index.ts';

export interface TestCluster {
  controlPlane: ControlPlane;
  admin: KubeTransport;
  stop(): Promise<void>;
}

/** A dedicated kube-apiserver + etcd with the hub CRDs. */
export async function startTestCluster(): Promise<TestCluster> {
  const controlPlane = await startControlPlane();
  try {
    await controlPlane.installCRDs(buildCustomResourceDefinitions() as unknown as Record<string, unknown>[]);
    const admin = await createKubeTransport(controlPlane.kubeConfig);
    return {
      controlPlane,
      admin,
      stop: async () => {
        await admin.close();
        await controlPlane.stop();
      },
    };
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
}

/** Log lines of an in-process manager, kept for assertions and printed on failure. */
export function memoryLog(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger((line) => lines.push(line)) };
}

/** Starts the real manager in-process with the catalogue reconcilers and admission (defaults: no servers). */
export async function startTestManager(
  kubeConfig: KubeConfig,
  overrides: Partial<ManagerOptions> = {},
): Promise<Manager & { lines: string[] }> {
  const { lines, log } = memoryLog();
  const manager = await startManager({
    kubeConfig,
    reconcilers: (policy) => catalogueReconcilers(policy),
    admission: catalogueAdmission(),
    policy: {
      missingOrganization: 'create',
      deleteEmptyRepositories: true,
      controllerNamespace: 'imagehub-system',
      userNamespace: 'user-system',
    },
    webhook: false,
    leaderElection: false,
    log,
    ...overrides,
  });
  return Object.assign(manager, { lines });
}

/** Polls `probe` until it returns a value other than undefined, or fails with the last observation. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

type Obj = Record<string, unknown> & { metadata: { name: string; [k: string]: unknown } };

export function kindPath(kind: CatalogueKind | 'Namespace', name?: string): string {
  if (kind === 'Namespace') return name ? `/api/v1/namespaces/${name}` : '/api/v1/namespaces';
  const resource = KUBE_RESOURCES[kind];
  return name ? objectPath(resource, name) : collectionPath(resource);
}

export async function create(t: KubeTransport, object: Obj): Promise<Obj> {
  return t.request<Obj>(kindPath(object.kind as CatalogueKind), {
    verb: 'create',
    method: 'POST',
    body: object,
  });
}

export async function get<T = Obj>(
  t: KubeTransport,
  kind: CatalogueKind,
  name: string,
): Promise<T | undefined> {
  try {
    return await t.request<T>(kindPath(kind, name), { verb: 'get' });
  } catch (error) {
    if (isKubeApiError(error) && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

export async function remove(t: KubeTransport, kind: CatalogueKind, name: string): Promise<void> {
  try {
    await t.request(kindPath(kind, name), { verb: 'delete', method: 'DELETE' });
  } catch (error) {
    if (!(isKubeApiError(error) && error.code === 'NOT_FOUND')) throw error;
  }
}

/** An Image object for `org/repo:tag` with metadata.name derived the api-types way. */
export function imageObject(name: string, metaName: string, detail: Record<string, unknown> = {}): Obj {
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Image',
    metadata: { name: metaName },
    spec: { name, detail: { creatTime: '1970-01-01T00:00:00Z', ...detail } },
  };
}

/** Waits until every controller's queue is empty and idle and each has reconciled at least once. */
export async function quiescent(manager: Manager, timeoutMs = 30_000): Promise<void> {
  let stableSince = 0;
  await eventually(
    'the controllers to go quiet',
    () => {
      const busy = manager.controllers().some((c) => c.queue.length > 0 || c.queue.processing > 0);
      if (busy) {
        stableSince = 0;
        return undefined;
      }
      stableSince ||= Date.now();
      // Quiet for a moment: informer events of our own writes have arrived and been handled.
      return Date.now() - stableSince > 1500 ? true : undefined;
    },
    timeoutMs,
    50,
  );
}

/** A free loopback TCP port (for child processes that take a port flag). */
export async function freeLoopbackPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

import {
  collectionPath,
  isKubeApiError,
  KUBE_RESOURCES,
  type KubeTransport,
  objectPath,
} from '@hub/datapack';

/** The coordination.k8s.io/v1 LeaseSpec fields the elector reads and writes. */
export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** Reads and writes the one Lease of an election: the elector's only way to the apiserver (tests pass a fake). */
export interface LeaseClient {
  /** The Lease, or undefined when it does not exist. */
  get(signal: AbortSignal): Promise<Lease | undefined>;
  /** Creates it; throws a KubeApiError `ALREADY_EXISTS` when another candidate was first. */
  create(spec: LeaseSpec, signal: AbortSignal): Promise<Lease>;
  /**
   * Replaces it. `lease.metadata.resourceVersion` makes this optimistic: a KubeApiError `CONFLICT` (409) when
   * the Lease changed since it was read.
   */
  update(lease: Lease, signal: AbortSignal): Promise<Lease>;
}

/** The Lease `namespace/name` through the shared transport; each request gives up after `timeoutMs`. */
export function transportLeaseClient(
  transport: KubeTransport,
  options: { namespace: string; name: string; timeoutMs: number },
): LeaseClient {
  const { namespace, name, timeoutMs } = options;
  const path = objectPath(KUBE_RESOURCES.Lease, name, namespace);
  const base = collectionPath(KUBE_RESOURCES.Lease, namespace);
  return {
    async get(signal) {
      try {
        return await transport.request<Lease>(path, { verb: 'get', signal, timeoutMs });
      } catch (error) {
        if (isKubeApiError(error) && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },
    create: (spec, signal) =>
      transport.request<Lease>(base, {
        verb: 'create',
        method: 'POST',
        signal,
        timeoutMs,
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec },
      }),
    update: (lease, signal) =>
      transport.request<Lease>(path, { verb: 'update', method: 'PUT', signal, timeoutMs, body: lease }),
  };
}

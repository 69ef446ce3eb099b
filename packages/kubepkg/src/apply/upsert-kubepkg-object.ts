import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { KubePkgError } from '../errors.ts';
import { KUBEPKG_API_VERSION, type KubePkg } from '../spec/kubepkg-schema.ts';
import { kubeFailure } from './kube-client.ts';

/** What {@link upsertKubePkgObject} did to the KubePkg object. */
export interface UpsertedKubePkg {
  name: string;
  namespace: string;
  version: string;
  action: 'created' | 'updated' | 'unchanged';
}

/** The namespace a kubeconfig's current context names (in a cluster: the ServiceAccount's), else `default`. */
export function contextNamespace(kubeConfig: KubeConfig): string {
  return kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || 'default';
}

type Stored = KubernetesObject & { spec?: unknown };

/**
 * Hands a package to the cluster's KubePkg controller: creates the KubePkg object, or updates its spec (labels
 * and annotations merged), in `namespace`. The controller applies it; this needs only get, create and update on
 * kubepkgs (the agent's rights). A conflicting concurrent write is read again and retried once.
 */
export async function upsertKubePkgObject(
  pkg: KubePkg,
  options: { kubeConfig: KubeConfig; namespace: string },
): Promise<UpsertedKubePkg> {
  const { KubernetesObjectApi } = await import('@kubernetes/client-node');
  const client = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  const { namespace } = options;
  const { name, labels, annotations } = pkg.metadata;
  const done = (action: UpsertedKubePkg['action']) => ({
    name,
    namespace,
    version: pkg.spec.version,
    action,
  });
  const ref = { apiVersion: KUBEPKG_API_VERSION, kind: 'KubePkg', metadata: { name, namespace } };
  for (let attempt = 0; ; attempt++) {
    let stored: Stored | undefined;
    try {
      stored = (await client.read(ref)) as Stored;
    } catch (error) {
      if (kubeFailure(error).status !== 404) throw handOffError(error, `read KubePkg ${namespace}/${name}`);
    }
    try {
      if (!stored) {
        const meta = {
          name,
          namespace,
          ...(labels ? { labels } : {}),
          ...(annotations ? { annotations } : {}),
        };
        await client.create({ ...ref, metadata: meta, spec: pkg.spec } as KubernetesObject);
        return done('created');
      }
      const metadata = {
        ...stored.metadata,
        labels: { ...stored.metadata?.labels, ...labels },
        annotations: { ...stored.metadata?.annotations, ...annotations },
      };
      const same =
        JSON.stringify(stored.spec) === JSON.stringify(pkg.spec) &&
        JSON.stringify(metadata) === JSON.stringify(stored.metadata);
      if (same) return done('unchanged');
      await client.replace({ ...stored, metadata, spec: pkg.spec } as KubernetesObject);
      return done('updated');
    } catch (error) {
      const status = kubeFailure(error).status;
      if ((status === 409 || status === 404) && attempt === 0) continue;
      throw handOffError(error, `${stored ? 'update' : 'create'} KubePkg ${namespace}/${name}`);
    }
  }
}

function handOffError(cause: unknown, what: string): KubePkgError {
  const failure = kubeFailure(cause);
  return new KubePkgError(
    'APPLY_FAILED',
    `Could not ${what} (HTTP ${failure.status ?? '?'}); see the error's detail.reason.`,
    {
      subject: what,
      cause,
      retryable: failure.status === undefined || failure.status >= 500,
      detail: {
        status: failure.status,
        reason: failure.message,
        statusReason: failure.reason,
        kind: failure.kind,
      },
    },
  );
}

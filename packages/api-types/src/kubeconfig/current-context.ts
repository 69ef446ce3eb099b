import { KubeconfigError } from './kubeconfig-error.ts';
import type { Kubeconfig, KubeconfigCluster, KubeconfigUser } from './kubeconfig-types.ts';

/** The cluster, user and namespace a context names. */
export interface KubeconfigSelection {
  context: string;
  cluster: KubeconfigCluster;
  user: KubeconfigUser;
  namespace: string | undefined;
}

/** Resolves `context` (default `current-context`) to its cluster and user, as kubectl would. */
export function selectContext(config: Kubeconfig, context = config['current-context']): KubeconfigSelection {
  if (!context)
    throw new KubeconfigError(
      'KUBECONFIG_INVALID',
      'the kubeconfig sets no current-context; set one or pass a context',
    );
  const entry = config.contexts?.find((c) => c.name === context)?.context;
  if (!entry) throw new KubeconfigError('KUBECONFIG_INVALID', `the kubeconfig has no context "${context}"`);
  const cluster = config.clusters?.find((c) => c.name === entry.cluster)?.cluster;
  if (!cluster?.server)
    throw new KubeconfigError(
      'KUBECONFIG_INVALID',
      `context "${context}" names cluster "${entry.cluster}", which has no server in the kubeconfig`,
    );
  const user = entry.user ? config.users?.find((u) => u.name === entry.user)?.user : {};
  if (!user)
    throw new KubeconfigError(
      'KUBECONFIG_INVALID',
      `context "${context}" names user "${entry.user}", which the kubeconfig does not define`,
    );
  return { context, cluster, user, namespace: entry.namespace };
}

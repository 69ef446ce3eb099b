// Public API of @hub/api-types/kubeconfig: the one kubeconfig rule (kubectl's order and merge) of every hub
// CLI and library, as plain data. No zod and no Kubernetes client, so every package may import it.
export { type KubeconfigSelection, selectContext } from './current-context.ts';
export { isKubeconfigError, KubeconfigError, type KubeconfigErrorCode } from './kubeconfig-error.ts';
export type {
  Kubeconfig,
  KubeconfigCluster,
  KubeconfigContext,
  KubeconfigExec,
  KubeconfigSource,
  KubeconfigUser,
  LoadedKubeconfig,
} from './kubeconfig-types.ts';
export { IN_CLUSTER_DIR, type LoadKubeconfigOptions, loadKubeconfig } from './load-kubeconfig.ts';
export { mergeKubeconfigs } from './merge-kubeconfigs.ts';

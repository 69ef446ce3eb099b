import { HubError, hubErrorGuard } from '../errors/index.ts';

/** Why no usable kubeconfig was found; a closed set, stable across releases. */
export type KubeconfigErrorCode =
  /** No flag, no `$KUBECONFIG` file, no `~/.kube/config`, not in a cluster; or the `--kubeconfig` file is missing. */
  | 'KUBECONFIG_NOT_FOUND'
  /** A file that is not a kubeconfig, a context naming a missing cluster or user, a failing exec plugin. */
  | 'KUBECONFIG_INVALID'
  /** A legacy `auth-provider` (gcp, azure, oidc): pass a client-node KubeConfig, or use an exec plugin. */
  | 'KUBECONFIG_UNSUPPORTED';

export class KubeconfigError extends HubError<KubeconfigErrorCode> {
  override readonly name = 'KubeconfigError';
}

/** Brand guard for {@link KubeconfigError}. */
export const isKubeconfigError = hubErrorGuard<KubeconfigError>('KubeconfigError');

// Hub users for the browser tests: ServiceAccounts of the user namespace with TokenRequest tokens
// (the apiserver's own audience, as `kubectl create token NAME` mints them), and the chart's
// hub-user role, so that the admission webhooks decide who may edit what.
import { collectionPath, KUBE_RESOURCES, type KubeTransport } from '@hub/datapack';
import { hubUserRbac } from '../server/hub-user-rbac.ts';

export const USER_NAMESPACE = 'user-system';

/** Creates the namespace and one ServiceAccount per name; returns a token of each. */
export async function createUsers<N extends string>(
  transport: KubeTransport,
  names: readonly N[],
): Promise<Record<N, string>> {
  await transport.request('/api/v1/namespaces', {
    verb: 'create',
    method: 'POST',
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: USER_NAMESPACE } },
  });
  const tokens = {} as Record<N, string>;
  for (const name of names) {
    await transport.request(`/api/v1/namespaces/${USER_NAMESPACE}/serviceaccounts`, {
      verb: 'create',
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } },
    });
    const request = await transport.request<{ status?: { token?: string } }>(
      `/api/v1/namespaces/${USER_NAMESPACE}/serviceaccounts/${name}/token`,
      {
        verb: 'create',
        method: 'POST',
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: 3600 },
        },
      },
    );
    const token = request.status?.token;
    if (!token) throw new Error(`no token for ${name}`);
    tokens[name] = token;
  }
  return tokens;
}

/**
 * Binds the chart's `hub-user` ClusterRole (read and write catalogue objects; the admission
 * webhooks then decide per Organization) to every ServiceAccount of the user namespace.
 */
export async function grantHubUsers(transport: KubeTransport): Promise<void> {
  const { clusterRole, clusterRoleBinding } = hubUserRbac(USER_NAMESPACE);
  await transport.request(collectionPath(KUBE_RESOURCES.ClusterRole), {
    verb: 'create',
    method: 'POST',
    body: clusterRole,
  });
  await transport.request(collectionPath(KUBE_RESOURCES.ClusterRoleBinding), {
    verb: 'create',
    method: 'POST',
    body: clusterRoleBinding,
  });
}

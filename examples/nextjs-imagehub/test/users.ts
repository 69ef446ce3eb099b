// Hub users for the browser tests: ServiceAccounts of the user namespace with TokenRequest tokens
// (the apiserver's own audience, as `kubectl create token NAME` mints them), and the chart's
// hub-user role, so that the admission webhooks decide who may edit what.
import { collectionPath, KUBE_RESOURCES, type KubeTransport } from '@hub/datapack';

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
  await transport.request(collectionPath(KUBE_RESOURCES.ClusterRole), {
    verb: 'create',
    method: 'POST',
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'hub-user' },
      rules: [
        {
          apiGroups: ['imagehub.sealos.io'],
          resources: ['images', 'repositories'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
        },
        {
          apiGroups: ['imagehub.sealos.io'],
          resources: ['organizations', 'datapacks'],
          verbs: ['get', 'list', 'watch', 'create'],
        },
      ],
    },
  });
  await transport.request(collectionPath(KUBE_RESOURCES.ClusterRoleBinding), {
    verb: 'create',
    method: 'POST',
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'hub-users' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hub-user' },
      subjects: [
        {
          kind: 'Group',
          apiGroup: 'rbac.authorization.k8s.io',
          name: `system:serviceaccounts:${USER_NAMESPACE}`,
        },
      ],
    },
  });
}

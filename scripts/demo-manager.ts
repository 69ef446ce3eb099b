// The demo's signed-in user: a ServiceAccount of the user namespace, made a manager of one
// Organization, with a token to sign in at /login (minted as `kubectl create token` does: the
// apiserver's own audience). The user namespace gets the chart's hub-user role, so the admission
// webhooks decide per Organization who may edit what, as in a real deployment.

import { organizationMetadataName } from '@hub/api-types';
import { DEFAULT_USER_NAMESPACE } from '@hub/api-types/access';
import {
  collectionPath,
  isKubeApiError,
  KUBE_RESOURCES,
  type KubeTransport,
  objectPath,
} from '@hub/datapack';
import { hubUserRbac } from '../examples/nextjs-imagehub/server/hub-user-rbac.ts';

async function createIfMissing(transport: KubeTransport, path: string, body: object): Promise<void> {
  try {
    await transport.request(path, { verb: 'create', method: 'POST', body });
  } catch (error) {
    if (!(isKubeApiError(error) && error.code === 'ALREADY_EXISTS')) throw error;
  }
}

/** Makes `name` a manager of `organization` and returns a token of it, valid for `hours`. */
export async function createDemoManager(
  transport: KubeTransport,
  organization: string,
  name = 'demo-manager',
  hours = 8,
): Promise<string> {
  const namespace = DEFAULT_USER_NAMESPACE;
  await createIfMissing(transport, '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
  await createIfMissing(transport, `/api/v1/namespaces/${namespace}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name },
  });
  const { clusterRole, clusterRoleBinding } = hubUserRbac(namespace);
  await createIfMissing(transport, collectionPath(KUBE_RESOURCES.ClusterRole), clusterRole);
  await createIfMissing(transport, collectionPath(KUBE_RESOURCES.ClusterRoleBinding), clusterRoleBinding);
  const path = objectPath(KUBE_RESOURCES.Organization, organizationMetadataName(organization));
  const current = await transport.request<{ spec?: { manager?: string[] } }>(path, { verb: 'get' });
  const managers = current.spec?.manager ?? [];
  if (!managers.includes(name)) {
    await transport.request(path, {
      verb: 'patch',
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { spec: { manager: [...managers, name] } },
    });
  }
  const request = await transport.request<{ status?: { token?: string } }>(
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    {
      verb: 'create',
      method: 'POST',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: hours * 3600 },
      },
    },
  );
  const token = request.status?.token;
  if (!token) throw new Error(`the apiserver minted no token for ${namespace}/${name}`);
  return token;
}

import { IMAGEHUB_API_VERSION, IMAGEHUB_GROUP, isValidMetadataName } from '@hub/api-types';
import {
  GROUP_MANAGER_PREFIX,
  type OrganizationManagersSource,
  organizationManagers,
} from '@hub/api-types/access';
import type { KubeObject, OwnerReference } from '../client.ts';
import { parseServiceAccountUsername } from './identity.ts';

export const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Label on every object the controller creates besides catalogue kinds (its informers select on it). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'hub-controller';

/** Verbs the managers of an Organization get on it (by resourceNames). */
export const ORGANIZATION_MANAGER_VERBS = ['get', 'update', 'patch', 'delete'] as const;

/** An RBAC subject. */
export interface RbacSubject {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  apiGroup?: string;
  namespace?: string;
}

/** The name of the ClusterRole and ClusterRoleBinding for the Organization `metadata.name`. */
export function organizationRoleName(organizationMetadataName: string): string {
  return `imagehub:organization-manager:${organizationMetadataName}`;
}

function subjectKey(subject: RbacSubject): string {
  return `${subject.kind}/${subject.namespace ?? ''}/${subject.name}`;
}

/**
 * The RBAC subjects that grant what the manager entries match: `group:<g>` a Group,
 * `system:serviceaccount:<ns>:<n>` that ServiceAccount in its own namespace, and any other entry
 * the User of that name plus, when it is a valid ServiceAccount name, the ServiceAccount of that
 * name in the user namespace (the original's short form). Deduplicated, in order.
 */
export function managerSubjects(managers: readonly string[], userNamespace: string): RbacSubject[] {
  const subjects: RbacSubject[] = [];
  const seen = new Set<string>();
  const push = (subject: RbacSubject) => {
    const key = subjectKey(subject);
    if (seen.has(key)) return;
    seen.add(key);
    subjects.push(subject);
  };
  for (const entry of managers) {
    if (entry.startsWith(GROUP_MANAGER_PREFIX)) {
      const group = entry.slice(GROUP_MANAGER_PREFIX.length);
      if (group.length > 0) push({ kind: 'Group', apiGroup: RBAC_GROUP, name: group });
      continue;
    }
    const account = parseServiceAccountUsername(entry);
    if (account !== undefined) {
      push({ kind: 'ServiceAccount', name: account.name, namespace: account.namespace });
      continue;
    }
    push({ kind: 'User', apiGroup: RBAC_GROUP, name: entry });
    if (isValidMetadataName(entry)) push({ kind: 'ServiceAccount', name: entry, namespace: userNamespace });
  }
  return subjects;
}

/** The Organization an RBAC object belongs to, for the owner reference. */
export interface OrganizationOwner extends OrganizationManagersSource {
  readonly metadata: { readonly name?: string | undefined; readonly uid?: string | undefined };
}

function ownerOf(organization: OrganizationOwner): OwnerReference {
  return {
    apiVersion: IMAGEHUB_API_VERSION,
    kind: 'Organization',
    name: organization.metadata.name ?? '',
    uid: organization.metadata.uid ?? '',
    controller: true,
  };
}

/**
 * The ClusterRole and ClusterRoleBinding that let an Organization's managers get, update, patch
 * and delete that Organization (resourceNames), owned by it.
 */
export function organizationRbac(
  organization: OrganizationOwner,
  userNamespace: string,
): { clusterRole: KubeObject; clusterRoleBinding: KubeObject } {
  const metaName = organization.metadata.name ?? '';
  const name = organizationRoleName(metaName);
  const metadata = () => ({
    name,
    labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    ownerReferences: [ownerOf(organization)],
  });
  return {
    clusterRole: {
      apiVersion: RBAC_API_VERSION,
      kind: 'ClusterRole',
      metadata: metadata(),
      rules: [
        {
          apiGroups: [IMAGEHUB_GROUP],
          resources: ['organizations'],
          resourceNames: [metaName],
          verbs: [...ORGANIZATION_MANAGER_VERBS],
        },
      ],
    },
    clusterRoleBinding: {
      apiVersion: RBAC_API_VERSION,
      kind: 'ClusterRoleBinding',
      metadata: metadata(),
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
      subjects: managerSubjects(organizationManagers(organization), userNamespace),
    },
  };
}

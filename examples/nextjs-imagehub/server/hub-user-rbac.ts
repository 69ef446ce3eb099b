// The chart's `hub-user` ClusterRole (deploy/chart/hub-controller/templates/user-role.yaml) and a
// binding of it to every ServiceAccount of the user namespace: the rights hub users hold, after
// which the admission webhooks decide per Organization. Used by the demo and the browser tests.

/** The ClusterRole and ClusterRoleBinding, as bodies to POST. */
export function hubUserRbac(userNamespace: string): { clusterRole: object; clusterRoleBinding: object } {
  return {
    clusterRole: {
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
    clusterRoleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'hub-users' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hub-user' },
      subjects: [
        {
          kind: 'Group',
          apiGroup: 'rbac.authorization.k8s.io',
          name: `system:serviceaccounts:${userNamespace}`,
        },
      ],
    },
  };
}

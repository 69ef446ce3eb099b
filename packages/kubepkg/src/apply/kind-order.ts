// Apply order: Namespaces, then CRDs (waited on), then config/RBAC/services, then custom resources
// and anything unknown, then workloads last so everything they reference exists.
const RANKS: Record<string, number> = {
  Namespace: 0,
  CustomResourceDefinition: 1,
  PriorityClass: 2,
  StorageClass: 2,
  IngressClass: 2,
  RuntimeClass: 2,
  ResourceQuota: 2,
  LimitRange: 2,
  ServiceAccount: 2,
  Secret: 2,
  ConfigMap: 2,
  PersistentVolume: 2,
  PersistentVolumeClaim: 2,
  ClusterRole: 2,
  ClusterRoleBinding: 2,
  Role: 2,
  RoleBinding: 2,
  NetworkPolicy: 2,
  PodDisruptionBudget: 2,
  Service: 2,
  Endpoints: 2,
  EndpointSlice: 2,
  Ingress: 2,
  ValidatingWebhookConfiguration: 3,
  MutatingWebhookConfiguration: 3,
  Deployment: 4,
  StatefulSet: 4,
  DaemonSet: 4,
  ReplicaSet: 4,
  ReplicationController: 4,
  Pod: 4,
  Job: 4,
  CronJob: 4,
  HorizontalPodAutoscaler: 5,
};
const UNKNOWN_RANK = 3;

/** Kinds that are cluster-scoped in every Kubernetes version (others get the apply namespace). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'CSIDriver',
  'Node',
]);

/** Rank of a kind in apply order (lower first). */
export function kindRank(kind: string): number {
  return RANKS[kind] ?? UNKNOWN_RANK;
}

/** Objects sorted into apply order; stable by `<kind>/<namespace>/<name>` within a rank. */
export function sortForApply<
  T extends { kind: string; metadata?: { name?: string | undefined; namespace?: string | undefined } },
>(objects: readonly T[]): T[] {
  const key = (o: T) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  return [...objects].sort(
    (a, b) => kindRank(a.kind) - kindRank(b.kind) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
  );
}

/** Where a kind lives in the API: enough to build its list, watch and object paths. */
export interface KubeResource {
  /** `''` for the core group. */
  group: string;
  version: string;
  /** Lower-case plural, e.g. `images`. */
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** `apiVersion` of a resource (`v1` or `group/version`). */
export function apiVersionOf(resource: KubeResource): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** The collection path, e.g. `/apis/imagehub.sealos.io/v1/images` or `/api/v1/namespaces/ns/events`. */
export function collectionPath(resource: KubeResource, namespace?: string): string {
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  return resource.namespaced && namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`
    : `${base}/${resource.plural}`;
}

/** The path of one object (optionally a subresource such as `status`). */
export function objectPath(
  resource: KubeResource,
  name: string,
  namespace?: string,
  subresource?: string,
): string {
  const path = `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}`;
  return subresource ? `${path}/${subresource}` : path;
}

const IMAGEHUB = { group: 'imagehub.sealos.io', version: 'v1', namespaced: false } as const;

/** The kinds hub reads and writes, by kind name. */
export const KUBE_RESOURCES = {
  Image: { ...IMAGEHUB, plural: 'images', kind: 'Image' },
  Repository: { ...IMAGEHUB, plural: 'repositories', kind: 'Repository' },
  Organization: { ...IMAGEHUB, plural: 'organizations', kind: 'Organization' },
  DataPack: { ...IMAGEHUB, plural: 'datapacks', kind: 'DataPack' },
  ClusterRole: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterroles',
    kind: 'ClusterRole',
    namespaced: false,
  },
  ClusterRoleBinding: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    namespaced: false,
  },
  Lease: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
  Event: { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  CustomResourceDefinition: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
  },
  MutatingWebhookConfiguration: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
    namespaced: false,
  },
  ValidatingWebhookConfiguration: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'validatingwebhookconfigurations',
    kind: 'ValidatingWebhookConfiguration',
    namespaced: false,
  },
} as const satisfies Record<string, KubeResource>;

export type KnownKind = keyof typeof KUBE_RESOURCES;

import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubePkg, KubernetesManifest } from '../spec/kubepkg-schema.ts';
import { VERSION_ANNOTATION } from './inventory.ts';
import { CLUSTER_SCOPED_KINDS } from './kind-order.ts';
import { rewriteImages } from './rewrite-images.ts';

/** Label put on every applied object; prune finds a package's objects by it. */
export const OWNER_LABEL = 'octohelm.tech/kubepkg';

/** A manifest ready to apply: apiVersion, kind and metadata always set. */
export type PreparedObject = KubernetesObject & {
  apiVersion: string;
  kind: string;
  metadata: NonNullable<KubernetesObject['metadata']>;
};

/** How {@link prepareObjects} places and rewrites the manifests. */
export interface PrepareOptions {
  /** Namespace of namespaced objects that name none. */
  namespace: string;
  /** Rewrite pod images to this registry (`host[:port]`), pinned by the package's digests. */
  registryRewrite?: string | undefined;
  /** With `registryRewrite`: repositories were imported with their source host kept. */
  keepHost?: boolean | undefined;
}

/** Kinds this package's own CRDs declare cluster-scoped (they get no namespace either). */
export function clusterScopedCustomKinds(pkg: KubePkg): Set<string> {
  const kinds = new Set<string>();
  for (const manifest of Object.values(pkg.spec.manifests)) {
    const spec = manifest.spec as { scope?: string; names?: { kind?: string } } | undefined;
    if (manifest.kind === 'CustomResourceDefinition' && spec?.scope === 'Cluster' && spec.names?.kind)
      kinds.add(spec.names.kind);
  }
  return kinds;
}

/**
 * The package's manifests as `kubepkg apply` and the controller apply them, keyed as in `spec.manifests`:
 * namespaced objects without a namespace get `options.namespace`, every object the owner label and version
 * annotation, server-owned metadata is dropped, and pod images are rewritten when asked.
 */
export function prepareObjects(pkg: KubePkg, options: PrepareOptions): Map<string, PreparedObject> {
  const clusterScopedCrs = clusterScopedCustomKinds(pkg);
  const repositories = new Map<string, string>();
  // Where the import stored each pinned digest: the name of its manifest entry in status.digests.
  for (const entry of pkg.status?.digests ?? [])
    if (entry.type === 'manifest' && !repositories.has(entry.digest))
      repositories.set(entry.digest, entry.name);
  const prepared = new Map<string, PreparedObject>();
  for (const [key, manifest] of Object.entries(pkg.spec.manifests))
    prepared.set(key, prepareOne(manifest, pkg, clusterScopedCrs, repositories, options));
  return prepared;
}

function prepareOne(
  manifest: KubernetesManifest,
  pkg: KubePkg,
  clusterScopedCrs: ReadonlySet<string>,
  repositories: ReadonlyMap<string, string>,
  options: PrepareOptions,
): PreparedObject {
  const object = structuredClone(manifest) as PreparedObject;
  object.metadata ??= {};
  if (
    !object.metadata.namespace &&
    !CLUSTER_SCOPED_KINDS.has(object.kind) &&
    !clusterScopedCrs.has(object.kind)
  )
    object.metadata.namespace = options.namespace;
  object.metadata.labels = { ...object.metadata.labels, [OWNER_LABEL]: pkg.metadata.name };
  object.metadata.annotations = { ...object.metadata.annotations, [VERSION_ANNOTATION]: pkg.spec.version };
  // Server-side apply rejects these; manifests exported from a live cluster often carry them.
  delete object.metadata.resourceVersion;
  delete object.metadata.uid;
  delete object.metadata.managedFields;
  delete object.metadata.creationTimestamp;
  if (options.registryRewrite) {
    rewriteImages(object, options.registryRewrite, pkg.spec.images, {
      ...(options.keepHost ? { keepHost: true } : {}),
      repositories,
    });
  }
  return object;
}

/** `<group>/<kind>/<namespace>/<name>`: one object whatever version of its group names it. */
export function resourceIdentity(o: {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name?: string | undefined;
}): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${group}/${o.kind}/${o.namespace ?? ''}/${o.name ?? ''}`;
}

import { inventoryName, readInventoryConfigMap } from '../apply/inventory.ts';
import { sortForApply } from '../apply/kind-order.ts';
import { OWNER_LABEL } from '../apply/prepare-objects.ts';
import { KUBEPKG_API_VERSION } from '../spec/kubepkg-schema.ts';
import type { KubePkgClient, LiveObject } from './kubepkg-client.ts';

/** The controller's finalizer on KubePkgs: what a KubePkg applied is removed before the object goes. */
export const KUBEPKG_FINALIZER = 'octohelm.tech/kubepkg-cleanup';
/** Annotation on a KubePkg (`"true"`): its deletion also removes the CRDs, Namespaces and PVCs it applied. */
export const DELETE_RETAINED_ANNOTATION = 'octohelm.tech/kubepkg-delete-retained';
/** Kinds a deletion keeps unless asked (as Helm keeps CRDs): their loss takes data or other apps with it. */
export const RETAINED_KINDS: ReadonlySet<string> = new Set([
  'CustomResourceDefinition',
  'Namespace',
  'PersistentVolumeClaim',
]);

/**
 * A deleted KubePkg: deletes what its installation's inventory lists (workloads first), keeping CRDs, Namespaces
 * and PVCs unless the annotation asks, and objects whose owner label names another package; then the inventory,
 * then the finalizer is released so the object goes.
 */
export async function finalizeKubePkg(object: LiveObject, client: KubePkgClient): Promise<void> {
  const finalizers = (object.metadata.finalizers as string[] | undefined) ?? [];
  if (!finalizers.includes(KUBEPKG_FINALIZER)) return;
  const name = object.metadata.name ?? '';
  const namespace = object.metadata.namespace ?? 'default';
  const cmRef = { apiVersion: 'v1', kind: 'ConfigMap', name: inventoryName(name), namespace };
  const cm = await client.get(cmRef);
  const recorded = cm
    ? readInventoryConfigMap(cm as Parameters<typeof readInventoryConfigMap>[0]).resources
    : [];
  const deleteRetained = object.metadata.annotations?.[DELETE_RETAINED_ANNOTATION] === 'true';
  const objects = recorded.map((r) => ({ ...r, metadata: { name: r.name, namespace: r.namespace } }));
  for (const resource of sortForApply(objects).reverse()) {
    if (RETAINED_KINDS.has(resource.kind) && !deleteRetained) continue;
    const ref = {
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      name: resource.name,
      ...(resource.namespace ? { namespace: resource.namespace } : {}),
    };
    const live = await client.get(ref);
    if (live?.metadata.labels?.[OWNER_LABEL] !== name) continue;
    await client.delete(ref);
  }
  if (cm) await client.delete(cmRef);
  // Applying the metadata without our finalizer releases it (the field manager owned only that entry).
  await client.apply({ apiVersion: KUBEPKG_API_VERSION, kind: 'KubePkg', metadata: { name, namespace } });
}

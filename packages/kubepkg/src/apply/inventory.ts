import type { AppliedResource } from '../spec/kubepkg-schema.ts';

/** Label of the ConfigMap `kubepkg-inventory.<package>` that records what an installation applied. */
export const INVENTORY_LABEL = 'octohelm.tech/kubepkg-inventory';
/** Annotation recording the package version that applied an object (and, on the inventory, the installation). */
export const VERSION_ANNOTATION = 'octohelm.tech/kubepkg-version';
/** Annotation of the inventory: the digest of the applied content (version, images, manifests). */
export const CONTENT_DIGEST_ANNOTATION = 'octohelm.tech/kubepkg-content-digest';

/**
 * What an installation (package × namespace) applied last: the objects, for exact pruning, and the version and
 * content digest, for the upgrade checks. `kubepkg apply` and the controller read and write this one record.
 */
export interface Inventory {
  resources: AppliedResource[];
  version: string | undefined;
  contentDigest: string | undefined;
}

/** The name of an installation's inventory ConfigMap, in the installation's namespace. */
export function inventoryName(packageName: string): string {
  return `kubepkg-inventory.${packageName}`.slice(0, 253);
}

/** The inventory ConfigMap to server-side apply. */
export function inventoryConfigMap(
  packageName: string,
  namespace: string,
  inventory: Inventory,
): { apiVersion: 'v1'; kind: 'ConfigMap'; metadata: Record<string, unknown>; data: Record<string, string> } {
  const record = inventory.resources.map(({ apiVersion, kind, name, namespace: ns }) => ({
    apiVersion,
    kind,
    name,
    ...(ns ? { namespace: ns } : {}),
  }));
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: inventoryName(packageName),
      namespace,
      labels: { [INVENTORY_LABEL]: packageName },
      annotations: {
        ...(inventory.version ? { [VERSION_ANNOTATION]: inventory.version } : {}),
        ...(inventory.contentDigest ? { [CONTENT_DIGEST_ANNOTATION]: inventory.contentDigest } : {}),
      },
    },
    data: { 'resources.json': JSON.stringify(record) },
  };
}

/** Reads an inventory ConfigMap; a record without a digest (an older kubepkg) has `contentDigest` undefined. */
export function readInventoryConfigMap(cm: {
  metadata?: { annotations?: Record<string, string> | undefined };
  data?: Record<string, string> | undefined;
}): Inventory {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cm.data?.['resources.json'] ?? '[]');
  } catch {
    parsed = [];
  }
  const annotations = cm.metadata?.annotations ?? {};
  return {
    resources: Array.isArray(parsed) ? (parsed as AppliedResource[]) : [],
    version: annotations[VERSION_ANNOTATION],
    contentDigest: annotations[CONTENT_DIGEST_ANNOTATION],
  };
}

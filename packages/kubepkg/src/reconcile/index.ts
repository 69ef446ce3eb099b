// @hub/kubepkg/reconcile: the KubePkg controller's pure logic, over a small client interface
// (hub-controller --kubepkg implements it). Hand-written: every export is deliberate.
export {
  CONTENT_DIGEST_ANNOTATION,
  INVENTORY_LABEL,
  type Inventory,
  inventoryConfigMap,
  inventoryName,
  readInventoryConfigMap,
  VERSION_ANNOTATION,
} from '../apply/inventory.ts';
export { OWNER_LABEL } from '../apply/prepare-objects.ts';
export type { KubePkgCondition } from './conditions.ts';
export { contentDigest } from './content-digest.ts';
export {
  DELETE_RETAINED_ANNOTATION,
  finalizeKubePkg,
  KUBEPKG_FINALIZER,
  RETAINED_KINDS,
} from './finalize-kubepkg.ts';
export { type KubePkgAdmission, reviewKubePkg } from './kubepkg-admission.ts';
export type { KubePkgClient, LiveObject, ObjectRef } from './kubepkg-client.ts';
export type { KubePkgStatusUpdate, ResourceStatus } from './kubepkg-status.ts';
export { allowedManifestKeys } from './manifest-key-rule.ts';
export { prunePlan } from './prune-plan.ts';
export { type Readiness, readinessOf } from './readiness.ts';
export {
  READINESS_POLL_MS,
  RETRY_SKIPPED_MS,
  type ReconcileKubePkgOptions,
  type ReconcileKubePkgResult,
  reconcileKubePkg,
} from './reconcile-kubepkg.ts';
export { ALLOW_DOWNGRADE_ANNOTATION, checkUpgrade, type UpgradeRefusal } from './upgrade-check.ts';
export { compareVersions } from './version-order.ts';

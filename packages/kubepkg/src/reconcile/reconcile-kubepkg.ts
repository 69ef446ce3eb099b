import {
  type Inventory,
  inventoryConfigMap,
  inventoryName,
  readInventoryConfigMap,
} from '../apply/inventory.ts';
import { sortForApply } from '../apply/kind-order.ts';
import { OWNER_LABEL, prepareObjects } from '../apply/prepare-objects.ts';
import { KUBEPKG_API_VERSION, type KubePkg } from '../spec/kubepkg-schema.ts';
import { safeParseKubePkg } from '../spec/safe-parse.ts';
import { type ApplyPass, applyObjects } from './apply-objects.ts';
import { contentDigest } from './content-digest.ts';
import { finalizeKubePkg, KUBEPKG_FINALIZER } from './finalize-kubepkg.ts';
import { reviewKubePkg } from './kubepkg-admission.ts';
import type { KubePkgClient, LiveObject, ObjectRef } from './kubepkg-client.ts';
import {
  type KubePkgStatusUpdate,
  type PreviousStatus,
  statusAfterApply,
  statusRefused,
} from './kubepkg-status.ts';
import { prunePlan } from './prune-plan.ts';
import { readinessOf } from './readiness.ts';
import { ALLOW_DOWNGRADE_ANNOTATION, checkUpgrade } from './upgrade-check.ts';

/** How the controller applies KubePkgs. */
export interface ReconcileKubePkgOptions {
  client: KubePkgClient;
  /** Rewrite pod images to the in-cluster agent's registry (`host[:port]`), pinned by the package's digests. */
  registry?: string | undefined;
  /** How long one reconcile waits for a CRD of the package to become Established (default 10 s). */
  crdWaitMs?: number;
  now: () => Date;
  signal?: AbortSignal;
}

/** What one reconcile wrote to status, and when to look again (readiness is polled, not watched). */
export interface ReconcileKubePkgResult {
  status: KubePkgStatusUpdate | undefined;
  requeueAfterMs?: number;
}

/** While something is not ready, or a namespace is missing, the controller looks again this often. */
export const READINESS_POLL_MS = 5_000;
export const RETRY_SKIPPED_MS = 30_000;

/**
 * Reconciles one KubePkg object: applies its manifests with server-side apply in kind order, prunes exactly what
 * the installation's inventory lists and this version dropped, records readiness and conditions in status, and
 * on deletion removes what it applied (see {@link finalizeKubePkg}). The upgrade rule of `kubepkg apply` holds:
 * a lower version (without the allow-downgrade annotation) or the same version with other content is refused
 * with a condition, and nothing is applied.
 */
export async function reconcileKubePkg(
  object: LiveObject,
  options: ReconcileKubePkgOptions,
): Promise<ReconcileKubePkgResult> {
  const { client } = options;
  const namespace = object.metadata.namespace ?? 'default';
  if (object.metadata.deletionTimestamp) {
    await finalizeKubePkg(object, client);
    return { status: undefined };
  }
  const previous = object.status as PreviousStatus;
  // What admission refuses (an object stored before the webhook was): a condition, and no finalizer, since the
  // webhook would refuse that patch too.
  const review = reviewKubePkg(object);
  const parsed = safeParseKubePkg(object);
  if (!review.allowed || !parsed.success) {
    const message = review.allowed ? 'the spec is invalid' : review.message;
    return write(object, statusRefused(object, previous, 'InvalidSpec', message, options.now()), options);
  }
  const finalizers = (object.metadata.finalizers as string[] | undefined) ?? [];
  if (!finalizers.includes(KUBEPKG_FINALIZER))
    await client.apply(finalizerPatch(object, [KUBEPKG_FINALIZER]));
  const pkg = parsed.data;
  const inventory = await readInventory(client, pkg.metadata.name, namespace);
  const digest = contentDigest(pkg);
  const refusal = checkUpgrade(
    inventory,
    { version: pkg.spec.version, contentDigest: digest },
    { allowDowngrade: object.metadata.annotations?.[ALLOW_DOWNGRADE_ANNOTATION] === 'true' },
  );
  if (refusal)
    return write(
      object,
      statusRefused(object, previous, refusal.reason, refusal.message, options.now()),
      options,
    );
  const prepared = prepareObjects(pkg, { namespace, registryRewrite: options.registry });
  const pass = await applyObjects(prepared, client, {
    crdWaitMs: options.crdWaitMs ?? 10_000,
    signal: options.signal,
  });
  await pruneAndRecord(pkg, namespace, pass, inventory, digest, client);
  const status = statusAfterApply(object, pkg, previous, pass, digest, options.now());
  const result = await write(object, status, options);
  const ready = pass.applied.every((a) => readinessOf(a.live).ready);
  if (pass.skipped.length > 0) return { ...result, requeueAfterMs: RETRY_SKIPPED_MS };
  return ready ? result : { ...result, requeueAfterMs: READINESS_POLL_MS };
}

/**
 * After a complete apply, deletes what the record lists and this version dropped (only objects still carrying
 * this package's owner label), and records exactly what was applied with the new version and digest. After an
 * incomplete one nothing is pruned, and the record keeps the old version and the union, so a later complete
 * apply still prunes exactly.
 */
async function pruneAndRecord(
  pkg: KubePkg,
  namespace: string,
  pass: ApplyPass,
  inventory: Inventory | undefined,
  digest: string,
  client: KubePkgClient,
): Promise<void> {
  const applied = pass.applied.map(({ object }) => ({
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name ?? '',
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  }));
  const recorded = inventory?.resources ?? [];
  let next: Inventory;
  if (pass.skipped.length === 0) {
    const plan = prunePlan(recorded, applied);
    for (const resource of sortForApply(plan.map(asObject)).reverse()) {
      const live = await client.get(refOf(resource));
      if (live?.metadata.labels?.[OWNER_LABEL] !== pkg.metadata.name) continue;
      await client.delete(refOf(resource));
    }
    next = { resources: applied, version: pkg.spec.version, contentDigest: digest };
  } else {
    const union = [...applied, ...prunePlan(recorded, applied)];
    next = { resources: union, version: inventory?.version, contentDigest: inventory?.contentDigest };
  }
  await client.apply(inventoryConfigMap(pkg.metadata.name, namespace, next) as LiveObject);
}

async function readInventory(
  client: KubePkgClient,
  packageName: string,
  namespace: string,
): Promise<Inventory | undefined> {
  const cm = await client.get({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: inventoryName(packageName),
    namespace,
  });
  return cm ? readInventoryConfigMap(cm as Parameters<typeof readInventoryConfigMap>[0]) : undefined;
}

async function write(
  object: LiveObject,
  status: KubePkgStatusUpdate,
  options: ReconcileKubePkgOptions,
): Promise<ReconcileKubePkgResult> {
  await options.client.applyStatus({
    apiVersion: KUBEPKG_API_VERSION,
    kind: 'KubePkg',
    metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
    status,
  });
  return { status };
}

/** The KubePkg's metadata with exactly these finalizers of the controller's field manager. */
export function finalizerPatch(object: LiveObject, finalizers: string[]): LiveObject {
  return {
    apiVersion: KUBEPKG_API_VERSION,
    kind: 'KubePkg',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      ...(finalizers.length > 0 ? { finalizers } : {}),
    },
  };
}

function asObject(r: { apiVersion: string; kind: string; name: string; namespace?: string | undefined }) {
  return { ...r, metadata: { name: r.name, namespace: r.namespace } };
}

function refOf(r: {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}): ObjectRef {
  return {
    apiVersion: r.apiVersion,
    kind: r.kind,
    name: r.name,
    ...(r.namespace ? { namespace: r.namespace } : {}),
  };
}

import { sleep, withRetry } from '@hub/api-types/retry';
import type { KubeConfig, KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { KubePkgError } from '../errors.ts';
import { contentDigest } from '../reconcile/content-digest.ts';
import { checkUpgrade } from '../reconcile/upgrade-check.ts';
import type { AppliedResource, KubePkg, KubePkgStatus } from '../spec/kubepkg-schema.ts';
import {
  INVENTORY_LABEL,
  type Inventory,
  inventoryConfigMap,
  inventoryName,
  readInventoryConfigMap,
  VERSION_ANNOTATION,
} from './inventory.ts';
import { CLUSTER_SCOPED_KINDS, sortForApply } from './kind-order.ts';
import { type KubeFailure, kubeFailure } from './kube-client.ts';
import {
  clusterScopedCustomKinds,
  OWNER_LABEL,
  type PreparedObject,
  prepareObjects,
  resourceIdentity,
} from './prepare-objects.ts';

// PatchStrategy.ServerSideApply of @kubernetes/client-node, spelled out so the module loads lazily.
const SERVER_SIDE_APPLY = 'application/apply-patch+yaml' as const;

export { INVENTORY_LABEL, OWNER_LABEL, VERSION_ANNOTATION };

/** Options for {@link applyKubePkg}. */
export interface ApplyKubePkgOptions {
  kubeConfig: KubeConfig;
  /** Namespace for namespaced objects that name none (default: the package's, else "default"). */
  namespace?: string;
  /** Server-side apply field manager (default "kubepkg"). */
  fieldManager?: string;
  /** Server-side dry run (`dryRun=All`): nothing is persisted, namespaces are not created. */
  dryRun?: boolean;
  /** Delete objects carrying this package's owner label that the package no longer contains. */
  prune?: boolean;
  /** Objects a previous apply recorded (`status.resources`): pruning also covers their kinds. */
  previous?: readonly AppliedResource[];
  /** Rewrite pod images to this registry (`host[:port]`), pinned by the package's digests. */
  registryRewrite?: string;
  /** With `registryRewrite`: repositories were imported with their source host kept. */
  keepHost?: boolean;
  /** Apply a `spec.version` lower than the installation's (otherwise refused, DOWNGRADE_REFUSED). */
  allowDowngrade?: boolean;
  /** How long to wait for each CRD to become Established (default 60 s). */
  crdTimeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
}

/** Progress of {@link applyKubePkg}. */
export type ApplyEvent =
  | { type: 'namespace-created'; name: string }
  | { type: 'applied'; resource: AppliedResource }
  | { type: 'crd-established'; name: string }
  | { type: 'pruned'; resource: AppliedResource };

/** What {@link applyKubePkg} did, plus the status a controller should record. */
export interface ApplyKubePkgResult {
  resources: AppliedResource[];
  pruned: AppliedResource[];
  status: KubePkgStatus;
}

type Obj = PreparedObject;

/**
 * Applies a package with server-side apply (force, stable field manager) in dependency order:
 * Namespaces, CRDs (waited on until Established), config/RBAC/services, custom resources, workloads.
 * Missing namespaces are created; every object gets the owner label so `prune` can delete objects a
 * newer version dropped. Returns the applied resources and the status to record.
 */
export async function applyKubePkg(pkg: KubePkg, options: ApplyKubePkgOptions): Promise<ApplyKubePkgResult> {
  // Loaded on first use: the client is large, and import/export/serve never need it.
  const { KubernetesObjectApi } = await import('@kubernetes/client-node');
  const client = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  const fieldManager = options.fieldManager ?? 'kubepkg';
  const namespace = options.namespace ?? pkg.metadata.namespace ?? 'default';
  const dryRun = options.dryRun ? 'All' : undefined;
  const clusterScopedCrs = clusterScopedCustomKinds(pkg);
  const digest = contentDigest(pkg);
  const recorded = await readInventory(client, pkg, namespace);
  const refusal = checkUpgrade(
    recorded,
    { version: pkg.spec.version, contentDigest: digest },
    { allowDowngrade: options.allowDowngrade ?? false },
  );
  if (refusal) {
    throw new KubePkgError(
      refusal.reason === 'DowngradeRefused' ? 'DOWNGRADE_REFUSED' : 'CONTENT_CHANGED',
      `${pkg.metadata.name} in ${namespace}: ${refusal.message}`,
      { subject: `${namespace}/${pkg.metadata.name}` },
    );
  }
  const objects = [
    ...prepareObjects(pkg, {
      namespace,
      registryRewrite: options.registryRewrite,
      keepHost: options.keepHost,
    }).values(),
  ];
  const ordered = sortForApply(objects);

  // Namespaces the objects need but the package does not define.
  const defined = new Set(ordered.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const needed = new Set(ordered.map((o) => o.metadata.namespace).filter((ns): ns is string => Boolean(ns)));
  if (!dryRun) {
    for (const ns of [...needed].sort()) {
      if (defined.has(ns)) continue;
      if (await ensureNamespace(client, ns)) options.onEvent?.({ type: 'namespace-created', name: ns });
    }
  }

  const packageKinds = new Set(
    ordered
      .filter((o) => o.kind === 'CustomResourceDefinition')
      .map((o) => (o as { spec?: { names?: { kind?: string } } }).spec?.names?.kind),
  );
  const resources: AppliedResource[] = [];
  for (const object of ordered) {
    options.signal?.throwIfAborted();
    let applied: KubernetesObject;
    try {
      applied = await applyWithRetry(client, object, dryRun, fieldManager, packageKinds, options.signal);
    } catch (error) {
      // A dry run cannot see what it did not create: objects in a namespace, or of a CRD, from this
      // same package. The real apply creates those first; report them as would-be-applied.
      const failure = (error as KubePkgError).detail as ReturnType<typeof applyFailureDetail>;
      if (
        dryRun &&
        failure.status === 404 &&
        (failure.kind === 'namespaces' || packageKinds.has(object.kind))
      ) {
        applied = object;
      } else {
        throw error;
      }
    }
    const resource = toResource(object, applied);
    resources.push(resource);
    options.onEvent?.({ type: 'applied', resource });
    if (object.kind === 'CustomResourceDefinition' && !dryRun) {
      await waitEstablished(client, object, options.crdTimeoutMs ?? 60_000, options.signal);
      options.onEvent?.({ type: 'crd-established', name: object.metadata.name ?? '' });
    }
  }

  const scope = { namespace, clusterScoped: new Set([...CLUSTER_SCOPED_KINDS, ...clusterScopedCrs]) };
  const pruned = options.prune
    ? await prune(client, pkg, ordered, options, dryRun, scope, recorded?.resources)
    : [];
  const inventory = { resources, version: pkg.spec.version, contentDigest: digest };
  if (!dryRun) await writeInventory(client, pkg, namespace, inventory, fieldManager);
  return {
    resources,
    pruned,
    status: {
      ...(pkg.status?.images ? { images: pkg.status.images } : {}),
      ...(pkg.status?.digests ? { digests: pkg.status.digests } : {}),
      resources,
      appliedVersion: pkg.spec.version,
    },
  };
}

/**
 * Server-side apply through the one retry path, retried briefly only for a kind whose CRD this package just
 * applied, while the apiserver has not yet built its typed schema (a 500) or routed it (a 404 that is no
 * Status about an object). Decided on the status and the Status reason, never on body text; any other failure,
 * a real schema error or an unknown kind, is thrown at once with the server's reason.
 */
async function applyWithRetry(
  client: KubernetesObjectApi,
  object: Obj,
  dryRun: string | undefined,
  fieldManager: string,
  packageKinds: ReadonlySet<string | undefined>,
  signal: AbortSignal | undefined,
): Promise<KubernetesObject> {
  return withRetry(
    async () => {
      try {
        return await client.patch(object, undefined, dryRun, fieldManager, true, SERVER_SIDE_APPLY);
      } catch (error) {
        const failure = kubeFailure(error);
        return Promise.reject(
          apiError(
            error,
            `apply ${describe(object)}`,
            packageKinds.has(object.kind) && warmingUp(failure, dryRun),
          ),
        );
      }
    },
    { policy: { attempts: 20, baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 }, signal },
  );
}

/** A just-applied CRD's kind the apiserver does not serve yet: no typed schema (500), or no route (404, no Status). */
export function warmingUp(failure: KubeFailure, dryRun: string | undefined): boolean {
  if (failure.status === 500) return true;
  return failure.status === 404 && !dryRun && failure.reason === undefined;
}

async function ensureNamespace(client: KubernetesObjectApi, name: string): Promise<boolean> {
  const spec = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
  try {
    await client.read(spec);
    return false;
  } catch (error) {
    if (kubeFailure(error).status !== 404) throw apiError(error, `read Namespace ${name}`);
  }
  try {
    await client.create(spec);
    return true;
  } catch (error) {
    if (kubeFailure(error).status === 409) return false;
    throw apiError(error, `create Namespace ${name}`);
  }
}

async function waitEstablished(
  client: KubernetesObjectApi,
  crd: Obj,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const current = (await client.read(crd as never)) as {
      status?: { conditions?: Array<{ type: string; status: string }> };
    };
    if (current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) {
      throw new KubePkgError(
        'APPLY_TIMEOUT',
        `CRD ${crd.metadata.name} was not Established within ${timeoutMs} ms.`,
        {
          subject: crd.metadata.name ?? '',
        },
      );
    }
    await sleep(200, signal);
  }
}

/** Where an installation lives: prune touches only its namespace (and cluster-scoped kinds). */
interface InstallScope {
  namespace: string;
  clusterScoped: ReadonlySet<string>;
}

/**
 * Deletes what this installation applied before and the package no longer contains: every object of the
 * recorded inventory (and `options.previous`), whatever kinds the new version still has. Without a record
 * (an installation applied before inventories existed) it falls back to the owner label, within the
 * installation's namespace. Objects that no longer carry this package's owner label are left alone.
 */
async function prune(
  client: KubernetesObjectApi,
  pkg: KubePkg,
  current: readonly Obj[],
  options: ApplyKubePkgOptions,
  dryRun: string | undefined,
  scope: InstallScope,
  recorded: AppliedResource[] | undefined,
): Promise<AppliedResource[]> {
  const keep = new Set(
    current.map((o) =>
      resourceIdentity({
        apiVersion: o.apiVersion,
        kind: o.kind,
        namespace: o.metadata.namespace,
        name: o.metadata.name,
      }),
    ),
  );
  const candidates: KubernetesObject[] = [];
  const previous = [...(recorded ?? []), ...(options.previous ?? [])];
  // The record is per installation (it lives in the installation's namespace), so all of it is ours.
  for (const r of previous) {
    candidates.push({
      apiVersion: r.apiVersion,
      kind: r.kind,
      metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) },
    });
  }
  if (recorded === undefined) {
    const kinds = new Map<string, { apiVersion: string; kind: string }>();
    for (const o of [...current, ...previous])
      kinds.set(`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind });
    for (const { apiVersion, kind } of kinds.values()) {
      const ns = scope.clusterScoped.has(kind) ? undefined : scope.namespace;
      try {
        const list = await client.list(
          apiVersion,
          kind,
          ns,
          undefined,
          undefined,
          undefined,
          undefined,
          `${OWNER_LABEL}=${pkg.metadata.name}`,
        );
        for (const item of list.items) candidates.push({ ...item, apiVersion, kind });
      } catch (error) {
        // A kind whose CRD is gone has nothing left to prune.
        if (kubeFailure(error).status === 404) continue;
        throw apiError(error, `list ${kind} for pruning`);
      }
    }
  }
  const pruned: AppliedResource[] = [];
  const seen = new Set<string>();
  // Workloads before their config, CRDs and namespaces last.
  for (const item of sortForApply(candidates as Obj[]).reverse()) {
    const id = resourceIdentity({
      apiVersion: item.apiVersion,
      kind: item.kind,
      namespace: item.metadata.namespace,
      name: item.metadata.name,
    });
    if (keep.has(id) || seen.has(id)) continue;
    seen.add(id);
    try {
      const live = (await client.read(item as never)) as KubernetesObject;
      if (live.metadata?.labels?.[OWNER_LABEL] !== pkg.metadata.name) continue;
      await client.delete(item, undefined, dryRun, undefined, undefined, 'Background');
    } catch (error) {
      if (kubeFailure(error).status === 404) continue;
      throw apiError(error, `prune ${describe(item)}`);
    }
    const resource = toResource(item, item);
    pruned.push(resource);
    options.onEvent?.({ type: 'pruned', resource });
  }
  return pruned;
}

async function readInventory(
  client: KubernetesObjectApi,
  pkg: KubePkg,
  namespace: string,
): Promise<Inventory | undefined> {
  const name = inventoryName(pkg.metadata.name);
  try {
    const cm = await client.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
    return readInventoryConfigMap(cm as Parameters<typeof readInventoryConfigMap>[0]);
  } catch (error) {
    if (kubeFailure(error).status === 404) return undefined;
    throw apiError(error, `read the inventory ConfigMap ${namespace}/${name}`);
  }
}

async function writeInventory(
  client: KubernetesObjectApi,
  pkg: KubePkg,
  namespace: string,
  inventory: Inventory,
  fieldManager: string,
): Promise<void> {
  const cm = inventoryConfigMap(pkg.metadata.name, namespace, inventory);
  try {
    await client.patch(cm, undefined, undefined, fieldManager, true, SERVER_SIDE_APPLY);
  } catch (error) {
    throw apiError(error, `record the inventory ConfigMap ${namespace}/${inventoryName(pkg.metadata.name)}`);
  }
}

function toResource(object: Obj, applied: KubernetesObject): AppliedResource {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name ?? '',
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    ...(applied.metadata?.uid ? { uid: applied.metadata.uid } : {}),
    ...(applied.metadata?.resourceVersion ? { resourceVersion: applied.metadata.resourceVersion } : {}),
  };
}

function describe(object: KubernetesObject): string {
  const ns = object.metadata?.namespace;
  return `${object.kind} ${ns ? `${ns}/` : ''}${object.metadata?.name ?? ''}`;
}

function apiError(cause: unknown, what: string, retryable = false): KubePkgError {
  const failure = kubeFailure(cause);
  // The API server's explanation stays out of `message` (it echoes request content); see `detail.reason`.
  return new KubePkgError(
    'APPLY_FAILED',
    `Could not ${what} (HTTP ${failure.status ?? '?'}); see the error's detail.reason.`,
    {
      subject: what,
      cause,
      retryable,
      detail: applyFailureDetail(failure),
    },
  );
}

/** `detail` of APPLY_FAILED: `reason` is the server's explanation (as always), `statusReason` the Status reason. */
function applyFailureDetail(failure: KubeFailure) {
  return {
    status: failure.status,
    reason: failure.message,
    statusReason: failure.reason,
    kind: failure.kind,
    body: failure.body,
  };
}

import { sleep, withRetry } from '@hub/api-types/retry';
import type { KubeConfig, KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { KubePkgError } from '../errors.ts';
import type { AppliedResource, KubePkg, KubePkgStatus, KubernetesManifest } from '../spec/kubepkg-schema.ts';
import { CLUSTER_SCOPED_KINDS, sortForApply } from './kind-order.ts';
import { type KubeFailure, kubeFailure } from './kube-client.ts';
import { rewriteImages } from './rewrite-images.ts';

// PatchStrategy.ServerSideApply of @kubernetes/client-node, spelled out so the module loads lazily.
const SERVER_SIDE_APPLY = 'application/apply-patch+yaml' as const;

/** Label put on every applied object; prune finds a package's objects by it. */
export const OWNER_LABEL = 'octohelm.tech/kubepkg';
/** Annotation recording the package version that applied an object. */
export const VERSION_ANNOTATION = 'octohelm.tech/kubepkg-version';
/** Label of the ConfigMap `kubepkg-inventory.<package>` that records what an installation applied. */
export const INVENTORY_LABEL = 'octohelm.tech/kubepkg-inventory';

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

type Obj = KubernetesObject & {
  apiVersion: string;
  kind: string;
  metadata: NonNullable<KubernetesObject['metadata']>;
};

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
  const clusterScopedCrs = new Set<string>();
  for (const manifest of Object.values(pkg.spec.manifests)) {
    const spec = manifest.spec as { scope?: string; names?: { kind?: string } } | undefined;
    if (manifest.kind === 'CustomResourceDefinition' && spec?.scope === 'Cluster' && spec.names?.kind)
      clusterScopedCrs.add(spec.names.kind);
  }
  const objects = Object.values(pkg.spec.manifests).map((manifest) =>
    prepare(manifest, pkg, namespace, clusterScopedCrs, options),
  );
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
  const recorded = await readInventory(client, pkg, namespace);
  const pruned = options.prune ? await prune(client, pkg, ordered, options, dryRun, scope, recorded) : [];
  if (!dryRun) await writeInventory(client, pkg, namespace, resources, fieldManager);
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

function prepare(
  manifest: KubernetesManifest,
  pkg: KubePkg,
  namespace: string,
  clusterScopedCrs: ReadonlySet<string>,
  options: ApplyKubePkgOptions,
): Obj {
  const object = structuredClone(manifest) as Obj;
  object.metadata ??= {};
  if (
    !object.metadata.namespace &&
    !CLUSTER_SCOPED_KINDS.has(object.kind) &&
    !clusterScopedCrs.has(object.kind)
  ) {
    object.metadata.namespace = namespace;
  }
  object.metadata.labels = { ...object.metadata.labels, [OWNER_LABEL]: pkg.metadata.name };
  object.metadata.annotations = { ...object.metadata.annotations, [VERSION_ANNOTATION]: pkg.spec.version };
  // Server-side apply rejects these; manifests exported from a live cluster often carry them.
  delete object.metadata.resourceVersion;
  delete object.metadata.uid;
  delete object.metadata.managedFields;
  delete object.metadata.creationTimestamp;
  if (options.registryRewrite) {
    // Where the import stored each pinned digest: the name of its manifest entry in status.digests.
    const repositories = new Map<string, string>();
    for (const entry of pkg.status?.digests ?? [])
      if (entry.type === 'manifest' && !repositories.has(entry.digest))
        repositories.set(entry.digest, entry.name);
    rewriteImages(object, options.registryRewrite, pkg.spec.images, {
      ...(options.keepHost ? { keepHost: true } : {}),
      repositories,
    });
  }
  return object;
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
    current.map((o) => identity(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)),
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
    const id = identity(item.apiVersion, item.kind, item.metadata.namespace, item.metadata.name);
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

/** The ConfigMap recording what an installation (package × namespace) applied, for exact pruning. */
function inventoryName(pkg: KubePkg): string {
  return `kubepkg-inventory.${pkg.metadata.name}`.slice(0, 253);
}

async function readInventory(
  client: KubernetesObjectApi,
  pkg: KubePkg,
  namespace: string,
): Promise<AppliedResource[] | undefined> {
  try {
    const cm = (await client.read({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: inventoryName(pkg), namespace },
    })) as { data?: Record<string, string> };
    const parsed: unknown = JSON.parse(cm.data?.['resources.json'] ?? '[]');
    return Array.isArray(parsed) ? (parsed as AppliedResource[]) : [];
  } catch (error) {
    if (kubeFailure(error).status === 404) return undefined;
    throw apiError(error, `read the inventory ConfigMap ${namespace}/${inventoryName(pkg)}`);
  }
}

async function writeInventory(
  client: KubernetesObjectApi,
  pkg: KubePkg,
  namespace: string,
  resources: AppliedResource[],
  fieldManager: string,
): Promise<void> {
  const record = resources.map(({ apiVersion, kind, name, namespace: ns }) => ({
    apiVersion,
    kind,
    name,
    ...(ns ? { namespace: ns } : {}),
  }));
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: inventoryName(pkg),
      namespace,
      labels: { [INVENTORY_LABEL]: pkg.metadata.name },
      annotations: { [VERSION_ANNOTATION]: pkg.spec.version },
    },
    data: { 'resources.json': JSON.stringify(record) },
  };
  try {
    await client.patch(cm, undefined, undefined, fieldManager, true, SERVER_SIDE_APPLY);
  } catch (error) {
    throw apiError(error, `record the inventory ConfigMap ${namespace}/${inventoryName(pkg)}`);
  }
}

function identity(
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string | undefined,
): string {
  return `${apiVersion.split('/').length > 1 ? apiVersion.split('/')[0] : ''}/${kind}/${namespace ?? ''}/${name ?? ''}`;
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

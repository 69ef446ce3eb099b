import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig, KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { KubePkgError } from '../errors.ts';
import type { AppliedResource, KubePkg, KubePkgStatus, KubernetesManifest } from '../spec/kubepkg-schema.ts';
import { CLUSTER_SCOPED_KINDS, sortForApply } from './kind-order.ts';
import { rewriteImages } from './rewrite-images.ts';

// PatchStrategy.ServerSideApply of @kubernetes/client-node, spelled out so the module loads lazily.
const SERVER_SIDE_APPLY = 'application/apply-patch+yaml' as const;

/** Label put on every applied object; prune finds a package's objects by it. */
export const OWNER_LABEL = 'octohelm.tech/kubepkg';
/** Annotation recording the package version that applied an object. */
export const VERSION_ANNOTATION = 'octohelm.tech/kubepkg-version';

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
      applied = await applyWithRetry(client, object, dryRun, fieldManager, options.signal);
    } catch (cause) {
      // A dry run cannot see what it did not create: objects in a namespace, or of a CRD, from this
      // same package. The real apply creates those first; report them as would-be-applied.
      const code = (cause as { code?: number }).code;
      if (dryRun && code === 404 && (notFoundKind(cause) === 'namespaces' || packageKinds.has(object.kind))) {
        applied = object;
      } else {
        throw apiError(cause, `apply ${describe(object)}`);
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

  const pruned = options.prune ? await prune(client, pkg, ordered, options, dryRun) : [];
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
 * Server-side apply, retried briefly when the apiserver has not yet built the typed schema of a CRD
 * established moments ago ("failed to create typed patch object": 500) or the kind is not yet routed (404).
 */
async function applyWithRetry(
  client: KubernetesObjectApi,
  object: Obj,
  dryRun: string | undefined,
  fieldManager: string,
  signal: AbortSignal | undefined,
): Promise<KubernetesObject> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.patch(object, undefined, dryRun, fieldManager, true, SERVER_SIDE_APPLY);
    } catch (error) {
      const code = (error as { code?: number }).code;
      const body = String((error as { body?: unknown }).body ?? '');
      const warmingUp =
        (code === 500 && body.includes('typed patch')) ||
        (code === 404 && !dryRun && notFoundKind(error) !== 'namespaces' && !body.includes('"name"'));
      if (!warmingUp || attempt >= 20) throw error;
      await sleep(Math.min(100 * 2 ** attempt, 1000), undefined, signal ? { signal } : {});
    }
  }
}

function notFoundKind(error: unknown): string | undefined {
  try {
    const body = (error as { body?: unknown }).body;
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as
      | { details?: { kind?: string } }
      | undefined;
    return parsed?.details?.kind;
  } catch {
    return undefined;
  }
}

async function ensureNamespace(client: KubernetesObjectApi, name: string): Promise<boolean> {
  const spec = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
  try {
    await client.read(spec);
    return false;
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw apiError(error, `read Namespace ${name}`);
  }
  try {
    await client.create(spec);
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 409) return false;
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
    await sleep(200, undefined, signal ? { signal } : {});
  }
}

async function prune(
  client: KubernetesObjectApi,
  pkg: KubePkg,
  current: readonly Obj[],
  options: ApplyKubePkgOptions,
  dryRun: string | undefined,
): Promise<AppliedResource[]> {
  const keep = new Set(
    current.map((o) => identity(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)),
  );
  const kinds = new Map<string, { apiVersion: string; kind: string }>();
  for (const o of [...current, ...(options.previous ?? [])])
    kinds.set(`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind });
  const pruned: AppliedResource[] = [];
  const candidates: KubernetesObject[] = [];
  for (const { apiVersion, kind } of kinds.values()) {
    try {
      const list = await client.list(
        apiVersion,
        kind,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        `${OWNER_LABEL}=${pkg.metadata.name}`,
      );
      for (const item of list.items) candidates.push({ ...item, apiVersion, kind });
    } catch (error) {
      // A kind whose CRD is gone has nothing left to prune.
      if ((error as { code?: number }).code === 404) continue;
      throw apiError(error, `list ${kind} for pruning`);
    }
  }
  // Workloads before their config, CRDs and namespaces last.
  for (const item of sortForApply(candidates as Obj[]).reverse()) {
    const id = identity(item.apiVersion, item.kind, item.metadata.namespace, item.metadata.name);
    if (keep.has(id)) continue;
    try {
      await client.delete(item, undefined, dryRun, undefined, undefined, 'Background');
    } catch (error) {
      if ((error as { code?: number }).code === 404) continue;
      throw apiError(error, `prune ${describe(item)}`);
    }
    const resource = toResource(item, item);
    pruned.push(resource);
    options.onEvent?.({ type: 'pruned', resource });
  }
  return pruned;
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

function apiError(cause: unknown, what: string): KubePkgError {
  const status = (cause as { code?: number }).code;
  const body = (cause as { body?: unknown }).body;
  let reason: string | undefined;
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    if (
      parsed &&
      typeof parsed === 'object' &&
      typeof (parsed as { message?: unknown }).message === 'string'
    ) {
      reason = (parsed as { message: string }).message;
    }
  } catch {
    // body was not JSON; it stays in `detail`
  }
  // The API server's explanation stays out of `message` (it echoes request content); see `detail.reason`.
  return new KubePkgError(
    'APPLY_FAILED',
    `Could not ${what} (HTTP ${status ?? '?'}); see the error's detail.reason.`,
    {
      subject: what,
      cause,
      detail: { status, reason, body },
    },
  );
}

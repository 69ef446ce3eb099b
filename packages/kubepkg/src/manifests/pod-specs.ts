/** A pod spec's container lists as plain JSON (only the fields kubepkg reads or rewrites). */
export interface PodSpecLike {
  containers?: Array<{ image?: unknown; name?: unknown }>;
  initContainers?: Array<{ image?: unknown; name?: unknown }>;
  ephemeralContainers?: Array<{ image?: unknown; name?: unknown }>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * Every pod spec inside an object: bare Pods, PodTemplates, workloads with `spec.template`
 * (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, and custom kinds
 * following the same shape) and CronJobs (`spec.jobTemplate.spec.template`). The returned objects
 * are the live ones inside `manifest`, so callers may rewrite them in place.
 */
export function podSpecsOf(manifest: unknown): PodSpecLike[] {
  const kind = at(manifest, 'kind');
  const candidates =
    kind === 'Pod'
      ? [at(manifest, 'spec')]
      : kind === 'PodTemplate'
        ? [at(manifest, 'template', 'spec')]
        : [
            at(manifest, 'spec', 'template', 'spec'),
            at(manifest, 'spec', 'jobTemplate', 'spec', 'template', 'spec'),
          ];
  return candidates.filter(
    (spec): spec is PodSpecLike =>
      isObject(spec) && (Array.isArray(spec.containers) || Array.isArray(spec.initContainers)),
  );
}

/** Each container (regular, init and ephemeral) of a pod spec. */
export function containersOf(spec: PodSpecLike): Array<{ image?: unknown; name?: unknown }> {
  return [spec.initContainers, spec.containers, spec.ephemeralContainers].flatMap((list) =>
    Array.isArray(list) ? list.filter(isObject) : [],
  );
}

import { sleep } from '@hub/api-types/retry';
import { sortForApply } from '../apply/kind-order.ts';
import type { PreparedObject } from '../apply/prepare-objects.ts';
import { isKubePkgError } from '../errors.ts';
import type { KubePkgClient, LiveObject } from './kubepkg-client.ts';
import { readinessOf } from './readiness.ts';

/** One object of the package after an apply pass. */
export interface AppliedObject {
  key: string;
  object: PreparedObject;
  live: LiveObject;
}

/** A manifest that was not applied, and why (the apiserver's reason, or the missing namespace). */
export interface SkippedObject {
  key: string;
  reason: 'ApplyFailed' | 'NamespaceMissing' | 'CrdNotEstablished';
  message: string;
}

export interface ApplyPass {
  applied: AppliedObject[];
  skipped: SkippedObject[];
}

/** The server's explanation of a refused call (`detail.reason` of APPLY_FAILED), else the message. */
export function refusalMessage(error: unknown): string {
  const detail = isKubePkgError(error) ? (error.detail as { reason?: unknown } | undefined) : undefined;
  if (typeof detail?.reason === 'string' && detail.reason) return detail.reason;
  return error instanceof Error ? error.message : String(error);
}

/** Namespaces the objects name that the package does not define and the cluster does not have. */
async function missingNamespaces(
  objects: readonly PreparedObject[],
  client: KubePkgClient,
): Promise<Set<string>> {
  const defined = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const needed = new Set(objects.map((o) => o.metadata.namespace).filter((ns): ns is string => Boolean(ns)));
  const missing = new Set<string>();
  for (const ns of [...needed].sort()) {
    if (defined.has(ns)) continue;
    if (!(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: ns }))) missing.add(ns);
  }
  return missing;
}

async function waitEstablished(
  client: KubePkgClient,
  crd: LiveObject,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let live: LiveObject | undefined = crd;
  for (;;) {
    if (live && readinessOf(live).ready) return true;
    if (Date.now() >= deadline) return false;
    await sleep(200, signal);
    live = await client.get({ apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name ?? '' });
  }
}

/**
 * Applies the prepared objects in kind order (Namespaces, CRDs, config, custom resources, workloads). Objects in
 * a namespace that neither exists nor is in the package are skipped, and so is one the apiserver refuses (its
 * reason kept), and the others are still applied; a failure that may pass on retry is thrown. A CRD is waited on
 * until Established (up to `crdWaitMs`), so the custom resources after it can be applied.
 */
export async function applyObjects(
  prepared: ReadonlyMap<string, PreparedObject>,
  client: KubePkgClient,
  options: { crdWaitMs: number; signal?: AbortSignal | undefined },
): Promise<ApplyPass> {
  const keyOf = new Map([...prepared].map(([key, object]) => [object, key]));
  const ordered = sortForApply([...prepared.values()]);
  const missing = await missingNamespaces(ordered, client);
  const pass: ApplyPass = { applied: [], skipped: [] };
  for (const object of ordered) {
    options.signal?.throwIfAborted();
    const key = keyOf.get(object) ?? '';
    const ns = object.metadata.namespace;
    if (ns && missing.has(ns)) {
      pass.skipped.push({ key, reason: 'NamespaceMissing', message: `namespace ${ns} does not exist` });
      continue;
    }
    let live: LiveObject;
    try {
      live = await client.apply(object as LiveObject);
    } catch (error) {
      if (isKubePkgError(error) && error.retryable) throw error;
      pass.skipped.push({ key, reason: 'ApplyFailed', message: refusalMessage(error) });
      continue;
    }
    pass.applied.push({ key, object, live });
    // Applied, but its custom resources cannot be yet: the version is not complete (no prune, requeued).
    if (object.kind === 'CustomResourceDefinition') {
      if (!(await waitEstablished(client, live, options.crdWaitMs, options.signal)))
        pass.skipped.push({ key, reason: 'CrdNotEstablished', message: 'not Established yet' });
    }
  }
  return pass;
}

// An in-memory apiserver for the KubePkg reconcile tests: enough server-side apply, namespaces, CRD
// establishment, refusals and status to exercise the reconcile logic without servers.
import { resourceIdentity } from '../apply/prepare-objects.ts';
import { KubePkgError } from '../errors.ts';
import type { KubePkgClient, LiveObject, ObjectRef } from '../reconcile/kubepkg-client.ts';

export interface FakeCluster {
  client: KubePkgClient;
  objects: Map<string, LiveObject>;
  /** Every call, in order: `apply Kind ns/name`, `delete ...`, `status ...`. */
  calls: string[];
  namespaces: Set<string>;
  /** Returns a reason to refuse an apply of this object (as a 422), or undefined. */
  refuse?: (object: LiveObject) => string | undefined;
  put(object: LiveObject): void;
  find(ref: ObjectRef): LiveObject | undefined;
}

const idOf = (o: { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } }) =>
  resourceIdentity({
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata?.name,
    namespace: o.metadata?.namespace,
  });
const refId = (r: ObjectRef) => resourceIdentity(r);
const describe = (o: { kind: string; namespace?: string | undefined; name?: string | undefined }) =>
  `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name ?? ''}`;

function refused(status: number, reason: string): KubePkgError {
  return new KubePkgError('APPLY_FAILED', `refused (HTTP ${status})`, { detail: { status, reason } });
}

export function fakeKubePkgCluster(namespaces: readonly string[] = ['default']): FakeCluster {
  const objects = new Map<string, LiveObject>();
  const calls: string[] = [];
  let uid = 0;
  const cluster: FakeCluster = {
    objects,
    calls,
    namespaces: new Set(namespaces),
    put(object) {
      objects.set(idOf(object as never), structuredClone(object));
      if (object.kind === 'Namespace') cluster.namespaces.add(object.metadata.name ?? '');
    },
    find: (ref) => objects.get(refId(ref)),
    client: {
      async apply(object) {
        const meta = object.metadata;
        calls.push(`apply ${describe({ kind: object.kind, name: meta.name, namespace: meta.namespace })}`);
        if (meta.namespace && !cluster.namespaces.has(meta.namespace))
          throw refused(404, `namespaces "${meta.namespace}" not found`);
        const reason = cluster.refuse?.(object);
        if (reason) throw refused(422, reason);
        const id = idOf(object as never);
        const before = objects.get(id);
        const next: LiveObject =
          object.kind === 'KubePkg' && before
            ? // The controller's own patch of a KubePkg sets only its finalizers (server-side apply semantics).
              { ...before, metadata: { ...before.metadata, finalizers: meta.finalizers ?? [] } }
            : {
                ...structuredClone(object),
                metadata: {
                  ...structuredClone(meta),
                  uid: before?.metadata.uid ?? `uid-${++uid}`,
                  generation: ((before?.metadata.generation as number | undefined) ?? 0) + 1,
                },
                ...(before?.status ? { status: before.status } : {}),
              };
        if (object.kind === 'CustomResourceDefinition')
          next.status = { conditions: [{ type: 'Established', status: 'True' }] };
        if (object.kind === 'Namespace') cluster.namespaces.add(meta.name ?? '');
        // A deleted object whose last finalizer is released goes.
        const finalizers = next.metadata.finalizers as string[] | undefined;
        if (next.metadata.deletionTimestamp && !finalizers?.length) {
          objects.delete(id);
          return structuredClone(next);
        }
        objects.set(id, next);
        return structuredClone(next);
      },
      async applyStatus(object) {
        calls.push(
          `status ${describe({ kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace })}`,
        );
        const id = idOf(object as never);
        const before = objects.get(id);
        if (!before) throw refused(404, 'not found');
        objects.set(id, { ...before, status: structuredClone(object.status) });
      },
      async get(ref) {
        if (ref.kind === 'Namespace' && ref.apiVersion === 'v1' && cluster.namespaces.has(ref.name))
          return (
            objects.get(refId(ref)) ?? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ref.name } }
          );
        const found = objects.get(refId(ref));
        return found ? structuredClone(found) : undefined;
      },
      async delete(ref) {
        calls.push(`delete ${describe(ref)}`);
        objects.delete(refId(ref));
        if (ref.kind === 'Namespace') cluster.namespaces.delete(ref.name);
      },
    },
  };
  return cluster;
}

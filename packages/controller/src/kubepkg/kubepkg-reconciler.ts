import type { SharedInformerFactory } from '@hub/datapack';
import type { KubePkgClient, LiveObject } from '@hub/kubepkg/reconcile';
import type { KubeObject } from '@hub/reconcilers';
import type { RuntimeReconciler } from '../runtime/controller.ts';
import { resourceOfKind } from '../runtime/kinds.ts';

/** Work-queue key of a namespaced object. */
const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/**
 * Whether an update asks for a reconcile: a new generation (spec), a deletion, other annotations (allow-downgrade,
 * delete-retained) or finalizers. The controller's own status writes do not; readiness is polled by requeue.
 */
function changed(old: KubeObject | undefined, object: KubeObject): boolean {
  if (!old) return true;
  const a = old.metadata;
  const b = object.metadata;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) ||
    JSON.stringify(a.finalizers ?? []) !== JSON.stringify(b.finalizers ?? [])
  );
}

export interface KubePkgReconcilerOptions {
  factory: SharedInformerFactory;
  /** Rewrite pod images to the in-cluster agent's registry (`--kubepkg-registry`). */
  registry?: string | undefined;
}

/**
 * The KubePkg controller for the runtime: keys are `<namespace>/<name>`, the object comes from the shared
 * informer, and the logic is @hub/kubepkg's `reconcileKubePkg` (loaded on first use, so a controller without
 * --kubepkg never loads it).
 */
export function kubePkgReconciler(options: KubePkgReconcilerOptions): RuntimeReconciler<KubePkgClient> {
  const informer = options.factory.informerFor<KubeObject>(resourceOfKind('KubePkg'));
  return {
    name: 'kubepkg',
    watches: [
      {
        kind: 'KubePkg',
        map: ({ type, object, old }) => (type === 'DELETED' || changed(old, object) ? [keyOf(object)] : []),
      },
    ],
    async reconcile(key, context) {
      const slash = key.indexOf('/');
      const object = informer.get(key.slice(slash + 1), key.slice(0, slash));
      // Gone: it had our finalizer, so what it applied was removed before it went.
      if (!object) return undefined;
      const { reconcileKubePkg } = await import('@hub/kubepkg/reconcile');
      const result = await reconcileKubePkg(structuredClone(object) as LiveObject, {
        client: context.client,
        registry: options.registry,
        now: context.now,
        signal: context.signal,
      });
      return result.requeueAfterMs === undefined ? undefined : { requeueAfterMs: result.requeueAfterMs };
    },
  };
}

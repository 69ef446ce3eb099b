import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../client.ts';

function withoutStatus(object: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = object;
  const { resourceVersion: _rv, managedFields: _managed, ...meta } = metadata;
  return { ...rest, metadata: meta };
}

/**
 * True for an update that changed nothing but status (and bookkeeping): typically our own status
 * write coming back, which needs no reconcile.
 */
export function onlyStatusChanged(event: { type: string; object: KubeObject; old?: KubeObject }): boolean {
  return (
    event.type === 'MODIFIED' &&
    event.old !== undefined &&
    isDeepStrictEqual(withoutStatus(event.old), withoutStatus(event.object))
  );
}

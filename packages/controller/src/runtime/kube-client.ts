import { isKubeApiError, type KubeRequestOptions, type KubeTransport, objectPath } from '@hub/datapack';
import type {
  ApplyOptions,
  CacheView,
  DeleteOptions,
  EventRecord,
  KubeObject,
  ObjectRef,
  ReconcileClient,
} from '@hub/reconcilers';
import { ControllerError } from '../errors.ts';
import { resourceOfKind } from './kinds.ts';
import type { Logger } from './logger.ts';

export interface KubeClientOptions {
  transport: KubeTransport;
  cache: CacheView;
  /** Server-side apply field manager (default `hub-controller`). */
  fieldManager?: string;
  /** Namespace for Events about cluster-scoped objects (default `default`, where kubectl looks). */
  eventNamespace?: string;
  /** `reportingInstance` of Events (the pod or host name). */
  instance?: string;
  /** Events in flight at most; more are dropped (best effort) so a slow apiserver cannot pile them up (default 32). */
  maxEventsInFlight?: number;
  /**
   * Aborted once this replica may no longer write (leadership lost): requests in flight are aborted with it,
   * later writes throw a ControllerError `LEADERSHIP_LOST`, and later Events are dropped.
   */
  fence?: AbortSignal;
  log?: Logger;
}

/** The real ReconcileClient, and the same client tied to one reconcile's signal. */
export interface KubeClient extends ReconcileClient {
  /** Shares field manager, fence and Event budget; its requests are aborted when `signal` aborts too. */
  withSignal(signal: AbortSignal): ReconcileClient;
}

const APPLY = 'application/apply-patch+yaml';

/** The real ReconcileClient: server-side apply with one field manager, status apply, guarded delete, Events. */
export function createKubeClient(options: KubeClientOptions): KubeClient {
  const { transport, fence } = options;
  const fieldManager = options.fieldManager ?? 'hub-controller';
  const maxEvents = options.maxEventsInFlight ?? 32;
  let eventsInFlight = 0;
  // Every request of this client is a write: the fence is checked right before each one is sent.
  const send = async <T>(path: string, opts: KubeRequestOptions, signal?: AbortSignal): Promise<T> => {
    if (fence?.aborted) {
      throw new ControllerError('LEADERSHIP_LOST', 'leadership was lost: this replica no longer writes');
    }
    const signals = [signal, fence].filter((s): s is AbortSignal => s !== undefined);
    return transport.request<T>(path, {
      ...opts,
      ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
    });
  };
  const pathOf = (object: KubeObject, subresource?: string) => {
    const name = object.metadata.name;
    if (!name) throw new TypeError(`cannot apply a ${object.kind} without metadata.name`);
    return objectPath(resourceOfKind(object.kind), name, object.metadata.namespace, subresource);
  };
  const apply = async <T extends KubeObject>(
    object: T,
    opts: ApplyOptions | undefined,
    sub: string | undefined,
    signal: AbortSignal | undefined,
  ) =>
    send<T>(
      pathOf(object, sub),
      {
        verb: 'apply',
        method: 'PATCH',
        contentType: APPLY,
        // Apply bodies must not carry resourceVersion unless they mean a precondition.
        body: { ...object, metadata: { ...object.metadata, resourceVersion: undefined } },
        query: { fieldManager, ...(opts?.force ? { force: true } : {}) },
      },
      signal,
    );
  const clientWith = (signal?: AbortSignal): ReconcileClient => ({
    cache: options.cache,
    apply: (object, opts) => apply(object, opts, undefined, signal),
    applyStatus: (object, opts) => apply(object, opts, 'status', signal),
    async delete(ref: ObjectRef, opts?: DeleteOptions) {
      const path = objectPath(resourceOfKind(ref.kind), ref.name, ref.namespace);
      try {
        await send(
          path,
          {
            verb: 'delete',
            method: 'DELETE',
            body: {
              apiVersion: 'v1',
              kind: 'DeleteOptions',
              propagationPolicy: 'Background',
              ...(opts?.preconditions ? { preconditions: opts.preconditions } : {}),
            },
          },
          signal,
        );
      } catch (error) {
        if (isKubeApiError(error) && error.code === 'NOT_FOUND') return;
        throw error;
      }
    },
    recordEvent(about: ObjectRef, event: EventRecord) {
      if (fence?.aborted) {
        options.log?.debug('event dropped: leadership was lost', {
          reason: event.reason,
          object: about.name,
        });
        return;
      }
      if (eventsInFlight >= maxEvents) {
        options.log?.debug('event dropped: too many in flight', { reason: event.reason, object: about.name });
        return;
      }
      eventsInFlight++;
      const namespace = about.namespace ?? options.eventNamespace ?? 'default';
      const body = eventBody(about, event, namespace, fieldManager, options.instance ?? fieldManager);
      // Not tied to the reconcile's signal: an Event about a timed-out reconcile is still worth sending.
      send(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
        verb: 'create',
        method: 'POST',
        body,
      })
        .catch((error: unknown) =>
          options.log?.error('could not record an event', {
            error,
            reason: event.reason,
            object: about.name,
          }),
        )
        .finally(() => {
          eventsInFlight--;
        });
    },
  });
  return Object.assign(clientWith(), { withSignal: (signal: AbortSignal) => clientWith(signal) });
}

/** A core/v1 Event about `about`, reported by `fieldManager` (its message capped at 1 KiB). */
function eventBody(
  about: ObjectRef,
  event: EventRecord,
  namespace: string,
  fieldManager: string,
  instance: string,
) {
  const now = new Date().toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${about.name}.`, namespace },
    involvedObject: {
      apiVersion: about.apiVersion,
      kind: about.kind,
      name: about.name,
      ...(about.namespace ? { namespace: about.namespace } : {}),
      ...(about.uid ? { uid: about.uid } : {}),
    },
    type: event.type,
    reason: event.reason,
    message: event.message.slice(0, 1024),
    source: { component: fieldManager },
    reportingComponent: fieldManager,
    reportingInstance: instance,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

import {
  isKubeApiError,
  type KubeRequestOptions,
  type KubeResource,
  type KubeTransport,
  objectPath,
} from '@hub/datapack';
import { KubePkgError } from '@hub/kubepkg';
import type { KubePkgClient, LiveObject, ObjectRef } from '@hub/kubepkg/reconcile';
import { ControllerError } from '../errors.ts';
import type { ApiDiscovery } from './api-discovery.ts';

export interface KubePkgKubeClientOptions {
  transport: KubeTransport;
  discovery: ApiDiscovery;
  /** Server-side apply field manager (`hub-controller-kubepkg`). */
  fieldManager: string;
  /** False once this replica may no longer write (leadership lost): writes then throw LEADERSHIP_LOST. */
  mayWrite: () => boolean;
  signal?: AbortSignal;
}

const APPLY = 'application/apply-patch+yaml';

const describe = (r: { kind: string; name?: string | undefined; namespace?: string | undefined }) =>
  `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? ''}`;

/** A refused or failed call as @hub/kubepkg's reconcile reads it: APPLY_FAILED with status and reason. */
function failure(error: unknown, what: string): unknown {
  if (!isKubeApiError(error)) return error;
  return new KubePkgError(
    'APPLY_FAILED',
    `could not ${what} (HTTP ${error.status ?? '?'}): ${error.detail ?? error.code}`,
    {
      subject: what,
      cause: error,
      retryable: error.retryable,
      detail: { status: error.status, reason: error.detail ?? error.message, statusReason: error.reason },
    },
  );
}

/** The KubePkg reconciler's client over the manager's transport: any kind, found by discovery. */
export function createKubePkgKubeClient(options: KubePkgKubeClientOptions): KubePkgClient {
  const { transport, discovery, signal } = options;
  const resourceFor = async (ref: ObjectRef, what: string): Promise<KubeResource> => {
    const resource = await discovery.resourceOf(ref.apiVersion, ref.kind, signal);
    if (resource) return resource;
    throw new KubePkgError(
      'APPLY_FAILED',
      `could not ${what}: the apiserver serves no kind ${ref.kind} in ${ref.apiVersion}`,
      {
        subject: what,
        detail: { status: 404, reason: `no kind ${ref.kind} is served in ${ref.apiVersion}` },
      },
    );
  };
  const pathIn = (resource: KubeResource, ref: ObjectRef, subresource?: string) =>
    objectPath(resource, ref.name, resource.namespaced ? ref.namespace : undefined, subresource);
  const write = async <T>(path: string, request: KubeRequestOptions, what: string): Promise<T> => {
    if (!options.mayWrite())
      throw new ControllerError('LEADERSHIP_LOST', 'leadership was lost: this replica no longer writes');
    try {
      return await transport.request<T>(path, { ...request, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw failure(error, what);
    }
  };
  const apply = async (object: LiveObject, subresource?: string) => {
    const ref = refOf(object);
    const what = `apply ${describe(ref)}`;
    const resource = await resourceFor(ref, what);
    // A cluster-scoped kind the package did not declare gets the installation's namespace: not for the server.
    const body = resource.namespaced
      ? object
      : { ...object, metadata: { ...object.metadata, namespace: undefined } };
    return write<LiveObject>(
      pathIn(resource, ref, subresource),
      {
        verb: 'apply',
        method: 'PATCH',
        contentType: APPLY,
        query: { fieldManager: options.fieldManager, force: true },
        body,
      },
      what,
    );
  };
  return {
    apply: (object) => apply(object),
    async applyStatus(object) {
      await apply(object, 'status');
    },
    async get(ref) {
      const resource = await discovery.resourceOf(ref.apiVersion, ref.kind, signal);
      if (!resource) return undefined;
      try {
        return await transport.request<LiveObject>(pathIn(resource, ref), {
          verb: 'get',
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (isKubeApiError(error) && error.status === 404) return undefined;
        throw failure(error, `read ${describe(ref)}`);
      }
    },
    async delete(ref) {
      // A kind no longer served (its CRD went) has nothing left to delete; other discovery failures propagate.
      const resource = await discovery.resourceOf(ref.apiVersion, ref.kind, signal);
      if (!resource) return;
      const what = `delete ${describe(ref)}`;
      try {
        await write(
          pathIn(resource, ref),
          {
            verb: 'delete',
            method: 'DELETE',
            body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
          },
          what,
        );
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        if (isKubeApiError(cause) && cause.status === 404) return;
        throw error;
      }
    },
  };
}

function refOf(object: LiveObject): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name ?? '',
    namespace: object.metadata.namespace,
  };
}

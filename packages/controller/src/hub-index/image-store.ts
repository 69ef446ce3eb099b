import { isHubError } from '@hub/api-types/errors';
import { withRetry } from '@hub/api-types/retry';
import type { KubeTransport } from '@hub/datapack';
import type { LiveImage } from './image-diff.ts';
import { INDEX_FIELD_MANAGER, type IndexedImage } from './image-object.ts';
import { IndexError } from './index-error.ts';

const APPLY = 'application/apply-patch+yaml';
// Spelled out rather than taken from @hub/datapack at runtime: its entry takes seconds to load.
const IMAGES = '/apis/imagehub.sealos.io/v1/images';
const imagePath = (name: string) => `${IMAGES}/${encodeURIComponent(name)}`;

/**
 * The Image writes of hub-index over the shared Kubernetes transport: list by label selector
 * (paginated), server-side apply with the `hub-index` field manager (forced: the indexer owns the
 * fields it sets), and delete guarded by uid and resourceVersion. The controller's ReconcileClient
 * needs an informer cache, which a one-shot CLI has no use for.
 */
export interface ImageStore {
  list(labelSelector: string, signal?: AbortSignal): Promise<LiveImage[]>;
  apply(image: IndexedImage, signal?: AbortSignal): Promise<LiveImage>;
  delete(image: LiveImage, signal?: AbortSignal): Promise<void>;
}

export function createImageStore(transport: KubeTransport): ImageStore {
  return {
    async list(labelSelector, signal) {
      const items: LiveImage[] = [];
      let token: string | undefined;
      do {
        const page = await call(`list Images (${labelSelector})`, () =>
          transport.request<{ items?: LiveImage[]; metadata?: { continue?: string } }>(IMAGES, {
            verb: 'list',
            query: { labelSelector, limit: 500, ...(token ? { continue: token } : {}) },
            ...(signal ? { signal } : {}),
          }),
        );
        items.push(...(page.items ?? []));
        token = page.metadata?.continue || undefined;
      } while (token);
      return items;
    },
    apply: (image, signal) =>
      call(
        `apply Image ${image.metadata.name}`,
        () =>
          transport.request<LiveImage>(imagePath(image.metadata.name), {
            verb: 'apply',
            method: 'PATCH',
            contentType: APPLY,
            body: image,
            query: { fieldManager: INDEX_FIELD_MANAGER, force: true },
            ...(signal ? { signal } : {}),
          }),
        signal,
      ),
    async delete(image, signal) {
      const name = image.metadata?.name ?? '';
      try {
        await transport.request(imagePath(name), {
          verb: 'delete',
          method: 'DELETE',
          body: {
            apiVersion: 'v1',
            kind: 'DeleteOptions',
            preconditions: { uid: image.metadata?.uid, resourceVersion: image.metadata?.resourceVersion },
          },
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (isHubError(error) && error.code === 'NOT_FOUND') return;
        throw kubeError(`delete Image ${name}`, error);
      }
    },
  };
}

/** One API call, retried by the one retry path when the apiserver says it may succeed later (429, 5xx, resets). */
async function call<T>(what: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await withRetry(run, { policy: { attempts: 5, baseDelayMs: 400, maxDelayMs: 5000 }, signal });
  } catch (error) {
    throw kubeError(what, error);
  }
}

function kubeError(what: string, error: unknown): IndexError {
  const e = error as { message?: unknown; retryable?: unknown; status?: unknown; detail?: unknown };
  const detail = typeof e?.detail === 'string' && e.detail !== '' ? ` (${e.detail.slice(0, 300)})` : '';
  return new IndexError('KUBERNETES_ERROR', `Could not ${what}: ${String(e?.message ?? error)}${detail}`, {
    cause: error,
    retryable: e?.retryable === true,
    ...(typeof e?.status === 'number' ? { status: e.status } : {}),
  });
}

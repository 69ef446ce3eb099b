// Test-only: writes catalogue objects (with status) to a real apiserver through the public transport.
import type { Image, Organization, Repository } from '@hub/api-types';
import { collectionPath, KUBE_RESOURCES, type KubeTransport, objectPath } from '../index.ts';

type Seedable = Image | Repository | Organization;

/** Creates each object, then writes its status (the status subresource ignores status on create). */
export async function seed(transport: KubeTransport, objects: readonly Seedable[]): Promise<void> {
  for (const object of objects) {
    const resource = KUBE_RESOURCES[object.kind];
    const { status, ...rest } = object as Seedable & { status?: unknown };
    await transport.request(collectionPath(resource), { verb: 'create', method: 'POST', body: rest });
    if (status !== undefined) {
      await transport.request(objectPath(resource, object.metadata.name ?? '', undefined, 'status'), {
        verb: 'patch',
        method: 'PATCH',
        contentType: 'application/merge-patch+json',
        body: { status },
      });
    }
  }
}

export async function remove(transport: KubeTransport, object: Seedable): Promise<void> {
  await transport.request(objectPath(KUBE_RESOURCES[object.kind], object.metadata.name ?? ''), {
    verb: 'delete',
    method: 'DELETE',
  });
}

/** Polls `check` until it returns true (event-driven code under test; bounded, not timing-sensitive). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

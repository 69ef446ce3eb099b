import type { CacheView } from '../client.ts';
import type { Requester } from '../permissions/identity.ts';
import { organizationObjects } from '../reconcile/organization-objects.ts';
import { recordedRequester } from './requester-annotation.ts';

/** An Image or Repository of an organization that someone else created. */
export interface ForeignObject {
  kind: 'Image' | 'Repository';
  specName: string;
  /** Its recorded requester; undefined when none was recorded (written while webhooks were off). */
  requester: string | undefined;
}

/**
 * The first cached Image or Repository of `organization` whose recorded requester is not
 * `requester`: creating the Organization would make the requester manager of someone else's
 * pushes (squatting). An object with no recorded requester counts as someone else's.
 */
export function foreignObjectOf(
  cache: CacheView,
  organization: string,
  requester: Requester,
): ForeignObject | undefined {
  for (const kind of ['Repository', 'Image'] as const) {
    for (const object of organizationObjects(cache, kind, organization)) {
      const recorded = recordedRequester(object);
      if (recorded === undefined || recorded !== requester.username)
        return { kind, specName: object.spec.name, requester: recorded };
    }
  }
  return undefined;
}

/** `Repository "acme/app" (pushed by "alice")`, for messages. */
export function describeForeignObject(object: ForeignObject): string {
  const by =
    object.requester === undefined ? 'with no recorded requester' : `pushed by "${object.requester}"`;
  return `${object.kind} "${object.specName.slice(0, 100)}" (${by})`;
}

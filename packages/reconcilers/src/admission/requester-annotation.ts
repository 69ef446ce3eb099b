import { ANNOTATION_REQUESTER } from '@hub/api-types';
import type { CataloguePolicy } from '../client.ts';
import { isAuthenticated, isControllerIdentity, type Requester } from '../permissions/identity.ts';
import { stringAt } from './request-fields.ts';

/** The requester recorded on a stored object, if any. */
export function recordedRequester(object: unknown): string | undefined {
  const value = stringAt(object, 'metadata', 'annotations', ANNOTATION_REQUESTER);
  return value !== undefined && value.length > 0 ? value : undefined;
}

/**
 * The requester annotation an object should carry: kept from the stored object on update (nobody
 * rewrites who pushed first), taken from the object when the controller writes on a pusher's
 * behalf, otherwise the requester's username.
 */
export function requesterToRecord(
  operation: 'CREATE' | 'UPDATE',
  object: unknown,
  oldObject: unknown,
  requester: Requester,
  policy: CataloguePolicy,
): string | undefined {
  const previous = operation === 'UPDATE' ? recordedRequester(oldObject) : undefined;
  if (previous !== undefined) return previous;
  const given = recordedRequester(object);
  if (given !== undefined && isControllerIdentity(requester, policy)) return given;
  return isAuthenticated(requester) ? requester.username : given;
}

import { type Requester, requesterGroups, SYSTEM_MASTERS_GROUP } from '@hub/api-types/access';
import type { CataloguePolicy } from '../client.ts';

// The identity helpers every layer needs live with the access rule; re-exported for this API.
export {
  isAuthenticated,
  managerEntryFor,
  parseServiceAccountUsername,
  type Requester,
  SYSTEM_MASTERS_GROUP,
} from '@hub/api-types/access';

/** Groups that pass every catalogue check (cluster admins and kube-system, e.g. the garbage collector). */
export const KUBE_SYSTEM_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts:kube-system';

const groupsOf = requesterGroups;

/**
 * True for the controller itself: exactly the username learned at start (SelfSubjectReview; in a
 * cluster `system:serviceaccount:<ns>:<sa>`). Not its namespace's group: any other account there
 * (a job, a debug pod) would pass every catalogue check.
 */
export function isControllerIdentity(requester: Requester, policy: CataloguePolicy): boolean {
  const own = policy.controllerIdentity?.username;
  return own !== undefined && own.length > 0 && requester.username === own;
}

/**
 * True for identities that may write any catalogue object: `system:masters`,
 * `system:serviceaccounts:kube-system` and the controller ({@link isControllerIdentity}).
 */
export function isPrivilegedIdentity(requester: Requester, policy: CataloguePolicy): boolean {
  const groups = groupsOf(requester);
  if (groups.includes(SYSTEM_MASTERS_GROUP) || groups.includes(KUBE_SYSTEM_SERVICE_ACCOUNTS_GROUP))
    return true;
  return isControllerIdentity(requester, policy);
}

import type { CataloguePolicy } from '../client.ts';

/** Who is asking: the `userInfo` of an AdmissionRequest, or a registry token's subject. */
export interface Requester {
  readonly username?: string | undefined;
  readonly groups?: readonly string[] | undefined;
}

/** Groups that pass every catalogue check (cluster admins and kube-system, e.g. the garbage collector). */
export const SYSTEM_MASTERS_GROUP = 'system:masters';
export const KUBE_SYSTEM_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts:kube-system';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

function groupsOf(requester: Requester): readonly string[] {
  return Array.isArray(requester.groups) ? requester.groups : [];
}

/** True for a requester the apiserver authenticated (not anonymous, not unauthenticated). */
export function isAuthenticated(requester: Requester): boolean {
  const username = requester.username;
  if (typeof username !== 'string' || username.length === 0 || username === 'system:anonymous') return false;
  return !groupsOf(requester).includes('system:unauthenticated');
}

/**
 * True for the controller itself: its identity learned at start (SelfSubjectReview), or any
 * ServiceAccount of the controller's namespace.
 */
export function isControllerIdentity(requester: Requester, policy: CataloguePolicy): boolean {
  const own = policy.controllerIdentity;
  if (own !== undefined && own.username.length > 0 && requester.username === own.username) return true;
  return groupsOf(requester).includes(`system:serviceaccounts:${policy.controllerNamespace}`);
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

/** `{namespace, name}` of a `system:serviceaccount:<ns>:<name>` username, else undefined. */
export function parseServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const rest = username.slice(SERVICE_ACCOUNT_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  return { namespace: rest.slice(0, colon), name: rest.slice(colon + 1) };
}

/**
 * How a username is written into `spec.creator`/`spec.manager`: users' ServiceAccounts of the user
 * namespace without their `system:serviceaccount:<ns>:` prefix (the original's form), everyone else
 * by their full username.
 */
export function managerEntryFor(username: string, userNamespace: string): string {
  const account = parseServiceAccountUsername(username);
  return account !== undefined && account.namespace === userNamespace ? account.name : username;
}

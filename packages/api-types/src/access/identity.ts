/** Who is asking: the `userInfo` of an AdmissionRequest, a TokenReview's user, or a hub session. */
export interface Requester {
  readonly username?: string | undefined;
  readonly groups?: readonly string[] | undefined;
}

/** Cluster admins: they pass every catalogue and registry check. */
export const SYSTEM_MASTERS_GROUP = 'system:masters';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** The requester's groups, or none when the field is missing or malformed. */
export function requesterGroups(requester: Requester | undefined): readonly string[] {
  return Array.isArray(requester?.groups) ? requester.groups : [];
}

/** True for a requester the apiserver authenticated (not anonymous, not unauthenticated). */
export function isAuthenticated(requester: Requester): boolean {
  const username = requester.username;
  if (typeof username !== 'string' || username.length === 0 || username === 'system:anonymous') return false;
  return !requesterGroups(requester).includes('system:unauthenticated');
}

/** True for a member of `system:masters`. */
export function isClusterAdmin(requester: Requester | undefined): boolean {
  return requesterGroups(requester).includes(SYSTEM_MASTERS_GROUP);
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

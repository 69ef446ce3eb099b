import { parseServiceAccountUsername, type Requester } from './identity.ts';

/** The part of an Organization the manager rules read. */
export interface OrganizationManagersSource {
  readonly spec?: { readonly creator?: string | undefined; readonly manager?: readonly string[] | undefined };
}

/** Prefix of a manager entry that names a group: `group:<name>`. */
export const GROUP_MANAGER_PREFIX = 'group:';

/** Default namespace whose ServiceAccounts are users (`--user-namespace`). */
export const DEFAULT_USER_NAMESPACE = 'user-system';

/** Removes empty and repeated entries, keeping the first occurrence of each, in order. */
export function uniqueManagers(entries: readonly unknown[]): string[] {
  const seen = new Set<string>();
  for (const entry of entries) {
    if (typeof entry === 'string' && entry.length > 0) seen.add(entry);
  }
  return [...seen];
}

/** The managers of an Organization: `spec.creator` then `spec.manager[]`, deduplicated in order. */
export function organizationManagers(organization: OrganizationManagersSource): string[] {
  const spec = organization.spec ?? {};
  const managers = Array.isArray(spec.manager) ? spec.manager : [];
  return uniqueManagers([spec.creator, ...managers]);
}

/**
 * True when one manager entry matches the requester: the entry equals the username; or the
 * requester is `system:serviceaccount:<userNamespace>:<entry>` (the original's form); or the entry
 * is `group:<name>` and the requester is in that group.
 */
export function managerEntryMatches(
  entry: string,
  requester: Requester,
  userNamespace: string = DEFAULT_USER_NAMESPACE,
): boolean {
  if (entry.length === 0) return false;
  if (entry.startsWith(GROUP_MANAGER_PREFIX)) {
    const group = entry.slice(GROUP_MANAGER_PREFIX.length);
    return group.length > 0 && Array.isArray(requester.groups) && requester.groups.includes(group);
  }
  const username = requester.username;
  if (typeof username !== 'string' || username.length === 0) return false;
  if (entry === username) return true;
  const account = parseServiceAccountUsername(username);
  return account !== undefined && account.namespace === userNamespace && account.name === entry;
}

/**
 * True when the requester manages the Organization (see {@link managerEntryMatches}). The one
 * rule of the admission webhooks, the registry token server and the hub handler.
 */
export function isOrganizationManager(
  organization: OrganizationManagersSource,
  requester: Requester,
  options: { userNamespace?: string | undefined } = {},
): boolean {
  const userNamespace = options.userNamespace ?? DEFAULT_USER_NAMESPACE;
  return organizationManagers(organization).some((entry) =>
    managerEntryMatches(entry, requester, userNamespace),
  );
}

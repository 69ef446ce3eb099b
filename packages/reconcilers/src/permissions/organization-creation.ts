import type { CataloguePolicy, OrganizationCreation } from '../client.ts';
import {
  isAuthenticated,
  isControllerIdentity,
  isPrivilegedIdentity,
  parseServiceAccountUsername,
  type Requester,
} from './identity.ts';

const GROUP_PREFIX = 'group:';

/** The `--organization-creation` value as a policy, or undefined when it is neither `anyone` nor `group:<name>`. */
export function parseOrganizationCreation(value: string): OrganizationCreation | undefined {
  if (value === 'anyone') return value;
  return value.startsWith(GROUP_PREFIX) && value.length > GROUP_PREFIX.length
    ? (value as OrganizationCreation)
    : undefined;
}

export interface OrganizationCreationDecision {
  allowed: boolean;
  /** For people: what the rule is and who to ask (set on refusals). */
  message: string;
}

function requiredGroup(policy: CataloguePolicy): string | undefined {
  const rule = policy.organizationCreation ?? 'anyone';
  return rule === 'anyone' ? undefined : rule.slice(GROUP_PREFIX.length);
}

function refusal(who: string, group: string): OrganizationCreationDecision {
  return {
    allowed: false,
    message: `${who} may not create Organizations: only members of group "${group}" may (--organization-creation group:${group}); ask one of them or a cluster admin to create it`,
  };
}

/**
 * Whether `requester` may create an Organization at all (before any squatting check): the
 * privileged always, others when authenticated and, under `group:<name>`, in that group.
 */
export function mayCreateOrganization(
  requester: Requester,
  policy: CataloguePolicy,
  who: string,
): OrganizationCreationDecision {
  if (isPrivilegedIdentity(requester, policy)) return { allowed: true, message: `${who} is privileged` };
  if (!isAuthenticated(requester)) return { allowed: false, message: `${who} must authenticate first` };
  const group = requiredGroup(policy);
  if (group === undefined || (requester.groups ?? []).includes(group))
    return { allowed: true, message: `${who} may create Organizations` };
  return refusal(who, group);
}

/**
 * The same rule for a requester the controller knows only by the username recorded on its
 * objects (it creates a missing Organization for the first pusher). A ServiceAccount's groups
 * follow from its name, so it is decided exactly; a user's groups are known only at admission,
 * which applied this rule when it admitted the push. Nobody recorded: the Organization gets no
 * creator, which grants nobody anything.
 */
export function mayCreateOrganizationFor(
  recorded: string | undefined,
  policy: CataloguePolicy,
): OrganizationCreationDecision {
  if (recorded === undefined) return { allowed: true, message: 'no requester was recorded' };
  const who = `user "${recorded}"`;
  const account = parseServiceAccountUsername(recorded);
  if (requiredGroup(policy) === undefined || isControllerIdentity({ username: recorded }, policy))
    return { allowed: true, message: `${who} may create Organizations` };
  if (account === undefined) return { allowed: true, message: `${who} was checked at admission` };
  const groups = [
    'system:serviceaccounts',
    `system:serviceaccounts:${account.namespace}`,
    'system:authenticated',
  ];
  return mayCreateOrganization({ username: recorded, groups }, policy, who);
}

import { isClusterAdmin, type Requester } from './identity.ts';
import { isOrganizationManager, type OrganizationManagersSource } from './managers.ts';
import { isRepositoryPrivate, type VisibilityOrganization, type VisibilityRepository } from './visibility.ts';

/** The registry actions the access rule decides (the distribution token spec's names). */
export type RegistryAction = 'pull' | 'push' | 'delete';

/** The Organization fields the access rule reads. */
export type AccessOrganization = VisibilityOrganization & OrganizationManagersSource;

export interface RepositoryAccessInput {
  /** `org/repo`, as the registry and the catalogue name it. */
  readonly repository: string;
  /** The Repository object with that name, if any. */
  readonly repositoryObject?: VisibilityRepository | undefined;
  /** The Organization object of the first segment, if any. */
  readonly organizationObject?: AccessOrganization | undefined;
  /** Undefined for anonymous callers. */
  readonly requester?: Requester | undefined;
  /** Whose ServiceAccounts are users (`--user-namespace`); see `managerEntryMatches`. */
  readonly userNamespace?: string | undefined;
}

/** Why the rule decided as it did; `private` covers "no such repository" too. */
export type RepositoryAccessReason = 'cluster-admin' | 'manager' | 'public' | 'private' | 'invalid-name';

export interface RepositoryAccess {
  /** The actions granted, in the order pull, push, delete. */
  readonly actions: readonly RegistryAction[];
  readonly isPrivate: boolean;
  readonly reason: RepositoryAccessReason;
}

// Managers may delete what they may push (the hub's tag deletion removes the manifest too).
const MANAGER_ACTIONS: readonly RegistryAction[] = Object.freeze(['pull', 'push', 'delete']);
const PUBLIC_ACTIONS: readonly RegistryAction[] = Object.freeze(['pull']);
const NO_ACTIONS: readonly RegistryAction[] = Object.freeze([]);

// metadata.names are derived; spec.name is the truth, so a stale or hand-made object never grants.
function confirmed<T extends { readonly spec?: { readonly name?: string | undefined } }>(
  object: T | undefined,
  name: string,
): T | undefined {
  return object?.spec?.name === name ? object : undefined;
}

/**
 * The one access rule of the hub, used by the registry token server, the admission webhooks and
 * the hub handler: cluster admins and the organization's managers pull, push and delete; everyone,
 * anonymous callers too, pulls a public repository; a private one grants nothing else. Visibility
 * is {@link isRepositoryPrivate}: a repository with no Repository object takes its Organization's
 * `spec.defaultPrivate` (private when unset or when the Organization is missing). Managers push
 * even before the Repository exists, but never under an organization that has no Organization
 * object. Only managers and cluster admins get `delete`.
 */
export function repositoryAccess(input: RepositoryAccessInput): RepositoryAccess {
  const slash = input.repository.indexOf('/');
  if (slash <= 0 || slash === input.repository.length - 1) {
    return { actions: NO_ACTIONS, isPrivate: true, reason: 'invalid-name' };
  }
  const organizationName = input.repository.slice(0, slash);
  const organization = confirmed(input.organizationObject, organizationName);
  const repository = confirmed(input.repositoryObject, input.repository);
  const isPrivate = isRepositoryPrivate(repository, organization);
  const requester = input.requester;
  if (isClusterAdmin(requester)) return { actions: MANAGER_ACTIONS, isPrivate, reason: 'cluster-admin' };
  if (
    requester !== undefined &&
    organization !== undefined &&
    isOrganizationManager(organization, requester, { userNamespace: input.userNamespace })
  ) {
    return { actions: MANAGER_ACTIONS, isPrivate, reason: 'manager' };
  }
  if (!isPrivate) return { actions: PUBLIC_ACTIONS, isPrivate, reason: 'public' };
  return { actions: NO_ACTIONS, isPrivate, reason: 'private' };
}

/** True when {@link repositoryAccess} grants `pull`: who may see a repository in the catalogue. */
export function canPullRepository(input: RepositoryAccessInput): boolean {
  return repositoryAccess(input).actions.includes('pull');
}

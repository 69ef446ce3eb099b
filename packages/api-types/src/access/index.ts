// Public API of @hub/api-types/access: the hub's access rule (visibility, pull, push, delete per
// requester and organization). No zod, no other dependency, so every package may import it.
export {
  isAuthenticated,
  isClusterAdmin,
  managerEntryFor,
  parseServiceAccountUsername,
  type Requester,
  requesterGroups,
  SYSTEM_MASTERS_GROUP,
} from './identity.ts';
export {
  DEFAULT_USER_NAMESPACE,
  GROUP_MANAGER_PREFIX,
  isOrganizationManager,
  managerEntryMatches,
  type OrganizationManagersSource,
  organizationManagers,
  uniqueManagers,
} from './managers.ts';
export {
  type AccessOrganization,
  canPullRepository,
  type RegistryAction,
  type RepositoryAccess,
  type RepositoryAccessInput,
  type RepositoryAccessReason,
  repositoryAccess,
} from './repository-access.ts';
export {
  DEFAULT_PRIVATE,
  isRepositoryPrivate,
  organizationDefaultPrivate,
  type VisibilityOrganization,
  type VisibilityRepository,
} from './visibility.ts';

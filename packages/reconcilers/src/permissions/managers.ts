// The manager rule is the hub's one access rule, in @hub/api-types/access; re-exported here so
// the reconcilers' public API keeps its names.
export {
  GROUP_MANAGER_PREFIX,
  isOrganizationManager,
  managerEntryMatches,
  type OrganizationManagersSource,
  organizationManagers,
  uniqueManagers,
} from '@hub/api-types/access';

// Public API of @hub/reconcilers. Hand-written: every export is deliberate.

// The manager rule is the hub's one access rule (@hub/api-types/access); re-exported so this API keeps its names.
export {
  GROUP_MANAGER_PREFIX,
  isOrganizationManager,
  managerEntryMatches,
  type OrganizationManagersSource,
  organizationManagers,
  uniqueManagers,
} from '@hub/api-types/access';
export {
  authorizeCatalogueWrite,
  type CatalogueWriteDecision,
  type CatalogueWriteReason,
  type CatalogueWriteRequest,
} from './admission/authorize.ts';
export { catalogueAdmission, catalogueReconcilers } from './catalogue.ts';
export type {
  AdmissionDecision,
  AdmissionDefinition,
  AdmissionRequest,
  ApplyOptions,
  CacheView,
  CatalogueKind,
  CatalogueKinds,
  CataloguePolicy,
  DeleteOptions,
  EventRecord,
  JsonPatchOperation,
  KubeObject,
  LabelSelector,
  ObjectRef,
  OrganizationCreation,
  OwnerReference,
  ReconcileClient,
  ReconcileContext,
  ReconcileLogger,
  ReconcileResult,
  ReconcilerDefinition,
  WatchMapping,
} from './client.ts';
export { cacheCatalogue } from './datapack/cache-catalogue.ts';
export { dataPackProblems, datapackAdmission, MAX_EXPIRE_MS } from './datapack/datapack-admission.ts';
export { datapackReconciler, expiryOf } from './datapack/datapack-reconciler.ts';
export {
  isReconcileError,
  ReconcileError,
  type ReconcileErrorCode,
  type ReconcileErrorOptions,
} from './errors.ts';
export {
  isAuthenticated,
  isControllerIdentity,
  isPrivilegedIdentity,
  KUBE_SYSTEM_SERVICE_ACCOUNTS_GROUP,
  managerEntryFor,
  parseServiceAccountUsername,
  type Requester,
  SYSTEM_MASTERS_GROUP,
} from './permissions/identity.ts';
export {
  mayCreateOrganization,
  mayCreateOrganizationFor,
  type OrganizationCreationDecision,
  parseOrganizationCreation,
} from './permissions/organization-creation.ts';
export {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  managerSubjects,
  ORGANIZATION_MANAGER_VERBS,
  type OrganizationOwner,
  organizationRbac,
  organizationRoleName,
  RBAC_API_VERSION,
  type RbacSubject,
} from './permissions/organization-rbac.ts';
export { cataloguePolicy, DEFAULT_CATALOGUE_POLICY } from './policy.ts';
export { compareTagNamesNaturally, compareTagsNewestFirst } from './reconcile/tag-order.ts';

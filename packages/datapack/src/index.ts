// Public API of @hub/datapack. Hand-written: every export is deliberate.
// The keyword vocabulary, re-exported for search UIs that offer keyword filters.
export { IMAGE_HUB_KEYWORDS, type ImageHubKeyword, UI_KEYWORDS } from '@hub/api-types';
export type {
  CatalogueObject,
  CatalogueObjectKind,
  CatalogueReader,
  RepositoryFilter,
} from './catalogue/catalogue-reader.ts';
export {
  type CatalogueChange,
  type CatalogueStore,
  createCatalogueStore,
} from './catalogue/catalogue-store.ts';
export { type Catalogue, type CatalogueOptions, createCatalogue } from './catalogue/create-catalogue.ts';
export {
  type RepositoryAccess,
  type RepositoryVisibility,
  repositoryVisibility,
} from './catalogue/repository-visibility.ts';
export { compareTagsNewestFirst, latestTagOf, repositoryTags, tagDataOf } from './catalogue/tags.ts';
export {
  type CrClientOptions,
  createDataPackClient,
  type DataPackClient,
  type DataPackClientOptions,
  type DataPackGetOptions,
  type DirectClientOptions,
} from './client/create-data-pack-client.ts';
export {
  type ComputeDataPackOptions,
  computeDataPack,
  type DataPackRequest,
  type DataPackResult,
} from './compute/compute-data-pack.ts';
export { DATA_PACK_DOCS_BUDGET_BYTES } from './compute/fit-docs.ts';
export {
  MAX_DATA_PACK_NAMES,
  type ValidDataPackRequest,
  validateDataPackRequest,
} from './compute/validate-request.ts';
export {
  DataPackError,
  type DataPackErrorCode,
  type DataPackErrorOptions,
  isDataPackError,
} from './errors.ts';
export { createHubHandler, type HubHandler, type HubHandlerOptions } from './handler/create-hub-handler.ts';
export { createIconProxy, type IconProxy, type IconProxyOptions } from './icons/icon-proxy.ts';
export { isPublicAddress } from './icons/public-address.ts';
export {
  type AuthenticatorCacheOptions,
  apiVersionOf,
  type Backoff,
  type CachedObject,
  cachedAuthenticator,
  collectionPath,
  createBackoff,
  createInformer,
  createKubeTransport,
  createSharedInformerFactory,
  createTokenReviewAuthenticator,
  type Informer,
  type InformerEvent,
  type InformerOptions,
  type InformerStats,
  isKubeApiError,
  type KnownKind,
  KUBE_RESOURCES,
  KubeApiError,
  type KubeApiErrorCode,
  type KubeConnection,
  type KubeConnectionSource,
  type KubeRequestOptions,
  type KubeRequestRecord,
  type KubeResource,
  type KubeTransport,
  type KubeTransportOptions,
  type KubeVerb,
  kubeApiErrorFromStatus,
  kubeConnection,
  ObjectStore,
  objectKey,
  objectPath,
  type ReviewedIdentity,
  type SharedInformerFactory,
  sleep,
  type TokenAuthenticator,
  type TokenReviewOptions,
  waitForCrds,
} from './kube/index.ts';
export { type OrganizationPatch, validateOrganizationPatch } from './manage/organization-patch.ts';
export {
  deleteRegistryManifest,
  type HubRegistryOptions,
  type RegistryCredentials,
} from './manage/registry-manifest-delete.ts';
export { type RepositoryPatch, validateRepositoryPatch } from './manage/repository-patch.ts';
export {
  type RepositoryDetail,
  type RepositoryItem,
  type RepositoryTag,
  repositoryDetail,
  repositoryItem,
} from './search/repository-item.ts';
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type RepositoryPage,
  type RepositoryQuery,
  type RepositorySort,
  type SearchOptions,
  searchRepositories,
  validateRepositoryQuery,
} from './search/search-repositories.ts';
export {
  createHubSessions,
  type HubSession,
  type HubSessionOptions,
  type HubSessions,
} from './session/hub-sessions.ts';
export {
  createSessionSealer,
  SESSION_SECRET_MIN_LENGTH,
  type SessionPayload,
  type SessionSealer,
} from './session/session-cookie.ts';
export { DEFAULT_SESSION_MAX_AGE_MS, jwtExpiry, sessionExpiry } from './session/session-expiry.ts';

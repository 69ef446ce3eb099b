// Public API of @hub/controller. Hand-written: every export is deliberate.

// The controller runtime (informers live in @hub/datapack).
export { type CliFeature, FEATURES, type FeatureRunnable } from './cli/features.ts';
export { envName, type FlagGroup, type FlagSpec, type FlagValues, UsageError } from './cli/flag-table.ts';
export { type CliIo, managerOptionsFromFlags, runCli } from './cli/run-cli.ts';
export { ControllerError, type ControllerErrorCode, isControllerError } from './errors.ts';
export {
  type BuildImageInput,
  buildIndexedImage,
  catalogueName,
  createImageStore,
  DEFAULT_ORGANIZATION,
  DIGEST_ANNOTATION,
  HUB_INDEX_HELP,
  type HubIndexIo,
  type ImageIndexResult,
  type ImageIndexStatus,
  type ImageStore,
  INDEX_FIELD_MANAGER,
  INDEXED_DETAIL_FIELDS,
  IndexError,
  type IndexErrorCode,
  type IndexEvent,
  type IndexedImage,
  type IndexImagesOptions,
  type IndexImagesResult,
  type IndexSource,
  type IndexSummary,
  type IndexTarget,
  indexImages,
  isIndexError,
  isUpToDate,
  type LiveImage,
  listTargets,
  MANAGED_BY_LABEL,
  type MetadataConfig,
  matchesAny,
  ownedFields,
  parseMetadataConfig,
  type ReadmeOverrides,
  readmeFor,
  readReadmeOverrides,
  repositoryGlob,
  runHubIndexCli,
  SOURCE_ANNOTATION,
} from './hub-index/index.ts';
export {
  createPeriodicIndexer,
  INDEX_FEATURE,
  INDEX_FLAGS,
  type IndexerLog,
  type PeriodicIndexer,
  type PeriodicIndexerOptions,
} from './indexer/index.ts';
export { type Manager, type ManagerExit, type ManagerOptions, startManager } from './manager.ts';
export type {
  AuthorizationResult,
  AuthorizeInput,
  RegistryAuthCache,
} from './registry-auth/authorize.ts';
export { authorizeScopes } from './registry-auth/authorize.ts';
export type {
  DownloadCounter,
  DownloadCounterOptions,
  DownloadCountWriter,
} from './registry-auth/download-counter.ts';
export { createDownloadCounter, kubernetesDownloadCountWriter } from './registry-auth/download-counter.ts';
export type { RegistryAuthErrorCode } from './registry-auth/errors.ts';
export { isRegistryAuthError, RegistryAuthError } from './registry-auth/errors.ts';
export type { RegistryIdentity } from './registry-auth/identity.ts';
export type { KeyRing, KeyRingOptions, TokenSigningKey } from './registry-auth/key-ring.ts';
export { openKeyRing, writeCertificateBundle } from './registry-auth/key-ring.ts';
export { libtrustKeyId } from './registry-auth/libtrust-key-id.ts';
export type { KeyedRateLimiter, RateDecision, RateLimit } from './registry-auth/rate-limiter.ts';
export { createRateLimiter } from './registry-auth/rate-limiter.ts';
export type { RegistryTokenResponse, TokenAccess } from './registry-auth/registry-token.ts';
export { signRegistryToken } from './registry-auth/registry-token.ts';
export type { ResourceScope } from './registry-auth/scope.ts';
export { formatResourceScope, parseResourceScope, parseScopes } from './registry-auth/scope.ts';
export type {
  RegistryTokenDenial,
  RegistryTokenEvent,
  RegistryTokenHandler,
  RegistryTokenHandlerOptions,
  RegistryTokenRateLimits,
} from './registry-auth/token-handler.ts';
export { createRegistryTokenHandler } from './registry-auth/token-handler.ts';
export type { TokenAuthenticator } from './registry-auth/token-review.ts';
export { cachedAuthenticator, createTokenReviewAuthenticator } from './registry-auth/token-review.ts';
export type { RegistryTokenServer, RegistryTokenServerOptions } from './registry-auth/token-server.ts';
export { parseTokenTtl, startRegistryTokenServer } from './registry-auth/token-server.ts';
export { CACHED_KINDS, informerCacheView } from './runtime/cache-view.ts';
export { type Clock, systemClock } from './runtime/clock.ts';
export { type Controller, type ControllerOptions, createController } from './runtime/controller.ts';
export { installCrds } from './runtime/install-crds.ts';
export { createKubeClient, type KubeClient, type KubeClientOptions } from './runtime/kube-client.ts';
export {
  createLeaderElector,
  type LeaderElectionOptions,
  type LeaderElector,
  type LeadershipEnd,
} from './runtime/leader-election.ts';
export {
  type Lease,
  type LeaseClient,
  type LeaseSpec,
  transportLeaseClient,
} from './runtime/lease-client.ts';
export { createLogger, type Logger, type LogLevel } from './runtime/logger.ts';
export { type ControllerMetrics, createControllerMetrics } from './runtime/metrics.ts';
export {
  bucketRateLimiter,
  defaultControllerRateLimiter,
  exponentialFailureRateLimiter,
  maxOfRateLimiter,
  type RateLimiter,
} from './runtime/rate-limiter.ts';
export { countRequests, type RequestCounter, type RequestCounts } from './runtime/request-counter.ts';
export { type Identity, selfSubjectReview } from './runtime/self-subject-review.ts';
export { createWorkQueue, type WorkQueue, type WorkQueueOptions } from './runtime/work-queue.ts';
export { type ServingCertificate, selfSignedServingCertificate } from './webhook/self-signed.ts';
export {
  FAILURE_POLICY,
  WEBHOOK_CONFIGURATION_NAME,
  WEBHOOK_TIMEOUT_SECONDS,
  webhookConfigurations,
} from './webhook/webhook-configurations.ts';
export {
  answerAdmission,
  startWebhookServer,
  type WebhookServer,
  type WebhookServerOptions,
} from './webhook/webhook-server.ts';

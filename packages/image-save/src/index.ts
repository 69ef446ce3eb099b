// Every error class and code union of the package (also on their subpaths), so one import covers them.
export { AUTH_ERROR_RETRYABLE, AuthError, type AuthErrorCode, isAuthError } from './auth/auth-error.ts';
export { DOCKER_HUB, dockerHubShortName } from './docker-hub-short-name.ts';
export { formatBytes } from './format/format-bytes.ts';
export * from './inspect/index.ts';
export { keptHostComponent, keptHostRepository } from './kept-host-repository.ts';
export { isPlatformError, PlatformError, type PlatformErrorCode } from './platform/platform.ts';
export {
  isRegistryError,
  REGISTRY_ERROR_RETRYABLE,
  RegistryError,
  type RegistryErrorCode,
  type RegistryErrorDetails,
} from './registry/registry-error.ts';
export { type RetryInfo, sleep, type WithRetryOptions, withRetry } from './registry/retry.ts';
export type { ResolvedImageContent, ResolvedManifest, ResolveImageOptions } from './resolve/resolve-image.ts';
export { imageBlobs, resolveImageContent } from './resolve/resolve-image.ts';
export type { SaveEvent, SaveSummary } from './save/events.ts';
export { parseImageList, readImageList } from './save/images-file.ts';
export {
  COSIGN_TAG_SUFFIXES,
  referrerDescriptors,
  referrersFallbackTag,
  referrerTagsOf,
  refersTo,
} from './save/referrers.ts';
export type { SaveErrorCode, SaveErrorDetails } from './save/save-error.ts';
export { isSaveError, SaveError } from './save/save-error.ts';
export type { SaveImageResult, SaveImagesOptions, SaveImagesResult } from './save/save-images.ts';
export { SOURCE_INDEX_ANNOTATION, saveImages } from './save/save-images.ts';
export {
  isStorageError,
  STORAGE_ERROR_RETRYABLE,
  StorageError,
  type StorageErrorCode,
} from './storage/storage-error.ts';

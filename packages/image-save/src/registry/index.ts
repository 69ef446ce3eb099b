export type {
  Descriptor,
  ParsedImageManifest,
  ParsedIndex,
  ParsedManifest,
  Platform,
} from './media-types.ts';
export {
  isForeignLayer,
  isImageManifestMediaType,
  isIndexMediaType,
  MANIFEST_ACCEPT,
  MediaType,
  manifestBlobs,
  parseManifest,
} from './media-types.ts';
export type {
  BlobResponse,
  FetchedManifest,
  ManifestHead,
  RegistryClientOptions,
  RegistryRetry,
  RepositoryLocation,
} from './registry-client.ts';
export { apiHost, digestStream, RegistryClient } from './registry-client.ts';
export type { RegistryErrorCode, RegistryErrorDetails } from './registry-error.ts';
export { isRegistryError, REGISTRY_ERROR_RETRYABLE, RegistryError } from './registry-error.ts';
export type { RetryInfo, RetryPolicy, WithRetryOptions } from './retry.ts';
export { DEFAULT_RETRY, parseRetryAfter, retryDelay, sleep, withRetry } from './retry.ts';
export type { TransportOptions } from './transport.ts';
export { HostDispatchers } from './transport.ts';

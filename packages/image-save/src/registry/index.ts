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
export { RegistryClient } from './registry-client.ts';
export type { RegistryErrorCode, RegistryErrorDetails } from './registry-error.ts';
export { isRegistryError, REGISTRY_ERROR_RETRYABLE, RegistryError } from './registry-error.ts';
export { apiHost } from './registry-requester.ts';
export type {
  BlobResponse,
  FetchedManifest,
  ManifestHead,
  RegistryClientOptions,
  RegistryRetry,
  RepositoryLocation,
} from './registry-types.ts';
export type { RetryInfo, RetryPolicy, WithRetryOptions } from './retry.ts';
export { DEFAULT_RETRY, parseRetryAfter, retryDelay, sleep, withRetry } from './retry.ts';
export { digestStream } from './streams.ts';
export type { TransportOptions } from './transport.ts';
export { HostDispatchers } from './transport.ts';

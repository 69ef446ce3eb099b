// Public API of @hub/controller. Hand-written: every export is deliberate.
export type {
  AuthorizationResult,
  AuthorizeInput,
  IsOrganizationManager,
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
export {
  parseBindAddress,
  parseTokenTtl,
  startRegistryTokenServer,
} from './registry-auth/token-server.ts';

import {
  type AuthenticatorCacheOptions,
  cachedAuthenticator,
  type KubeTransport,
  createTokenReviewAuthenticator as reviewOver,
  type TokenAuthenticator,
} from '@hub/datapack';
import { RegistryAuthError } from './errors.ts';

// One TokenReview client and one verdict cache, @hub/datapack's (over the shared, counted transport).
export { type AuthenticatorCacheOptions, cachedAuthenticator, type TokenAuthenticator };

/** Options of {@link createTokenReviewAuthenticator}. */
export interface TokenReviewAuthenticatorOptions {
  /** The process's transport (the manager's), so reviews are counted with every other API request. */
  transport: KubeTransport;
  /**
   * Audiences the token must be valid for (TokenReview `spec.audiences`); the apiserver's own audiences when
   * omitted. Minting registry tokens with a dedicated audience keeps them useless against the API.
   */
  audiences?: readonly string[];
}

/**
 * Authenticates with the TokenReview API (`authentication.k8s.io/v1`): ServiceAccount and user tokens.
 * Throws TOKEN_REVIEW_FAILED (answered as 503) when the apiserver cannot tell.
 */
export function createTokenReviewAuthenticator(options: TokenReviewAuthenticatorOptions): TokenAuthenticator {
  const inner = reviewOver(options.transport, options.audiences ? { audiences: options.audiences } : {});
  return {
    async authenticate(token, signal) {
      try {
        return await inner.authenticate(token, signal);
      } catch (cause) {
        // The cause may hold the request; the token never enters the message.
        throw new RegistryAuthError('TOKEN_REVIEW_FAILED', 'the TokenReview API did not answer', {
          cause,
          retryable: true,
          status: 503,
        });
      }
    },
  };
}

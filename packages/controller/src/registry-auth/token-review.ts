import { createHash } from 'node:crypto';
import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { RegistryAuthError } from './errors.ts';
import type { RegistryIdentity } from './identity.ts';

/** Checks a bearer token; `undefined` means "not authenticated". Throws TOKEN_REVIEW_FAILED when it cannot tell. */
export interface TokenAuthenticator {
  authenticate(token: string): Promise<RegistryIdentity | undefined>;
}

/** Options of {@link createTokenReviewAuthenticator}. */
export interface TokenReviewAuthenticatorOptions {
  kubeConfig: KubeConfig;
  /**
   * Audiences the token must be valid for (TokenReview `spec.audiences`); the apiserver's own audiences when
   * omitted. Minting registry tokens with a dedicated audience keeps them useless against the API.
   */
  audiences?: readonly string[];
}

/** Authenticates with the TokenReview API (`authentication.k8s.io/v1`): ServiceAccount and user tokens. */
export function createTokenReviewAuthenticator(options: TokenReviewAuthenticatorOptions): TokenAuthenticator {
  const api = options.kubeConfig.makeApiClient(AuthenticationV1Api);
  const audiences = options.audiences ? [...options.audiences] : undefined;
  return {
    async authenticate(token) {
      let status: Awaited<ReturnType<typeof api.createTokenReview>>['status'];
      try {
        const review = await api.createTokenReview({
          body: {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenReview',
            spec: { token, ...(audiences ? { audiences } : {}) },
          },
        });
        status = review.status;
      } catch (cause) {
        // The cause may hold the request; the token never enters the message.
        throw new RegistryAuthError('TOKEN_REVIEW_FAILED', 'the TokenReview API did not answer', {
          cause,
          retryable: true,
          status: 503,
        });
      }
      const user = status?.user;
      if (!status?.authenticated || !user?.username) return undefined;
      if (audiences && !audiences.some((audience) => status?.audiences?.includes(audience))) return undefined;
      return { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups ?? [] };
    },
  };
}

/** Options of {@link cachedAuthenticator}. */
export interface AuthenticatorCacheOptions {
  /** How long a review result is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Most results kept (oldest dropped first). Default 10,000. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Caches review results (both verdicts) by SHA-256 of the token, never the token itself, for a short time;
 * concurrent reviews of one token share one API call. Failures to review are not cached.
 */
export function cachedAuthenticator(
  inner: TokenAuthenticator,
  options: AuthenticatorCacheOptions,
): TokenAuthenticator {
  if (options.ttlMs <= 0) return inner;
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const results = new Map<string, { expires: number; identity: RegistryIdentity | undefined }>();
  const inflight = new Map<string, Promise<RegistryIdentity | undefined>>();
  return {
    async authenticate(token) {
      const key = createHash('sha256').update(token).digest('base64');
      const hit = results.get(key);
      if (hit && hit.expires > now()) return hit.identity;
      if (hit) results.delete(key);
      const pending = inflight.get(key);
      if (pending) return pending;
      const review = inner
        .authenticate(token)
        .then((identity) => {
          results.set(key, { expires: now() + options.ttlMs, identity });
          while (results.size > maxEntries) results.delete(results.keys().next().value as string);
          return identity;
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, review);
      return review;
    },
  };
}

import { createHash } from 'node:crypto';
import { KubeApiError } from './kube-api-error.ts';
import type { KubeTransport } from './kube-transport.ts';

/** Who a token belongs to, as the TokenReview API reported it. */
export interface ReviewedIdentity {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
}

/**
 * Checks a bearer token: `undefined` means "not authenticated" (expired, wrong audience, malformed,
 * unknown). Throws a retryable {@link KubeApiError} when the apiserver cannot tell.
 */
export interface TokenAuthenticator {
  authenticate(token: string, signal?: AbortSignal): Promise<ReviewedIdentity | undefined>;
}

export interface TokenReviewOptions {
  /**
   * Audiences the token must be valid for (TokenReview `spec.audiences`); the apiserver's own when
   * omitted. Each caller configures its own: the registry's tokens are not the hub's.
   */
  audiences?: readonly string[] | undefined;
  timeoutMs?: number | undefined;
}

interface TokenReviewStatus {
  authenticated?: boolean;
  audiences?: string[];
  user?: { username?: string; uid?: string; groups?: string[] };
}

/**
 * The one TokenReview client (`authentication.k8s.io/v1`), shared by the hub's sign-in and the
 * registry token server; it runs with the transport's own identity (which needs `create` on
 * `tokenreviews`, the `system:auth-delegator` role).
 */
export function createTokenReviewAuthenticator(
  transport: KubeTransport,
  options: TokenReviewOptions = {},
): TokenAuthenticator {
  const audiences = options.audiences === undefined ? undefined : [...options.audiences];
  return {
    async authenticate(token, signal) {
      // A token the apiserver cannot parse is still only "not authenticated"; skip the round trip.
      if (token.length === 0 || token.length > 16_384 || /\s/.test(token)) return undefined;
      let review: { status?: TokenReviewStatus } | undefined;
      try {
        review = await transport.request('/apis/authentication.k8s.io/v1/tokenreviews', {
          verb: 'create',
          method: 'POST',
          body: {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenReview',
            spec: { token, ...(audiences ? { audiences } : {}) },
          },
          ...(signal ? { signal } : {}),
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        });
      } catch (cause) {
        // The request held the token: keep only a fixed message, never the body or the cause's text.
        throw new KubeApiError('UNAVAILABLE', 'the TokenReview API did not answer', {
          cause,
          retryable: true,
        });
      }
      const status = review?.status;
      const user = status?.user;
      if (status?.authenticated !== true || !user?.username) return undefined;
      if (audiences && !audiences.some((audience) => status.audiences?.includes(audience))) return undefined;
      return {
        username: user.username,
        ...(user.uid ? { uid: user.uid } : {}),
        groups: Array.isArray(user.groups) ? user.groups : [],
      };
    },
  };
}

export interface AuthenticatorCacheOptions {
  /** How long a verdict (either one) is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Most verdicts kept, oldest dropped first (default 10,000). */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Reuses verdicts for a short time, keyed by the token's SHA-256 (the token itself is never kept);
 * concurrent reviews of one token share one call. Failures to review are not cached.
 */
export function cachedAuthenticator(
  inner: TokenAuthenticator,
  options: AuthenticatorCacheOptions,
): TokenAuthenticator {
  if (options.ttlMs <= 0) return inner;
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const results = new Map<string, { expires: number; identity: ReviewedIdentity | undefined }>();
  const inflight = new Map<string, Promise<ReviewedIdentity | undefined>>();
  return {
    async authenticate(token, signal) {
      const key = createHash('sha256').update(token).digest('base64');
      const hit = results.get(key);
      if (hit && hit.expires > now()) return hit.identity;
      if (hit) results.delete(key);
      const pending = inflight.get(key);
      if (pending) return pending;
      const review = inner
        .authenticate(token, signal)
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

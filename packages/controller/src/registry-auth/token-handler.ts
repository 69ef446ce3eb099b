import { createHash } from 'node:crypto';
import { toHubError } from '@hub/api-types/errors';
import { authorizeScopes, type RegistryAuthCache } from './authorize.ts';
import { looksLikeKubeconfig, parseBasicCredentials } from './basic-credentials.ts';
import type { DownloadCounter } from './download-counter.ts';
import { isRegistryAuthError } from './errors.ts';
import type { RegistryIdentity } from './identity.ts';
import type { KeyRing } from './key-ring.ts';
import {
  createFailureLimiter,
  createRateLimiter,
  type FailureAttempt,
  type KeyedRateLimiter,
  type RateLimit,
} from './rate-limiter.ts';
import { signRegistryToken } from './registry-token.ts';
import { formatResourceScope, parseScopes } from './scope.ts';
import type { TokenAuthenticator } from './token-review.ts';

/** Why a token request was refused; logged, never the credentials. */
export type RegistryTokenDenial =
  | 'bad-request'
  | 'malformed-authorization'
  | 'kubeconfig-password'
  | 'invalid-credentials'
  | 'username-mismatch'
  | 'rate-limited'
  | 'review-failed';

/** One structured log event of the token handler. */
export type RegistryTokenEvent =
  | {
      type: 'denied';
      reason: RegistryTokenDenial;
      clientAddress: string;
      /** The username sent (sanitised, redacted when it looks like a token); the password never appears. */
      username?: string;
      service?: string;
      status: number;
    }
  | { type: 'issued'; clientAddress: string; subject: string; scopes: string[]; service: string }
  /** Something failed that is not the client's fault (the answer was 500), or a background write failed. */
  | { type: 'error'; message: string; code: string };

/**
 * Rate limits; `false` turns one off. A client is the address plus the Basic username sent, or the address
 * alone when no username is sent (anonymous, malformed credentials): one user's requests or failures never
 * hold back another user at the same address.
 */
export interface RegistryTokenRateLimits {
  /** Every request, per client. Default 20/s, burst 40. */
  perAddress?: RateLimit | false;
  /** Authenticated requests, per reviewed username. Default 10/s, burst 20. */
  perUser?: RateLimit | false;
  /** Failed authentications per client; when spent, its Basic requests get 429 before any review. Default 1 per 6 s, burst 10. */
  failuresPerClient?: RateLimit | false;
  /** @deprecated Failures are counted per client now: read as `failuresPerClient` when that is not set. */
  failuresPerAddress?: RateLimit | false;
  /**
   * All failed authentications together. When spent (a flood of distinct usernames), clients that failed
   * lately get 429 before any review until it refills; clients with a clean record are still reviewed, so
   * nobody who has not failed is locked out. Default 2/s, burst 300.
   */
  failureBudget?: RateLimit | false;
  /** Most clients each limit tracks (bounded memory); idle ones go first, then the least recently used. Default 100,000. */
  maxTrackedClients?: number;
}

/** Options of {@link createRegistryTokenHandler}. */
export interface RegistryTokenHandlerOptions {
  keyRing: KeyRing;
  authenticator: TokenAuthenticator;
  /** The informer cache (Organizations, Repositories). */
  cache: RegistryAuthCache;
  /** `iss` of issued tokens; the registry's `auth.token.issuer`. Default `hub-token`. */
  issuer?: string;
  /** Accepted `service` values (the registries' `auth.token.service`); any well-formed one when omitted. */
  services?: readonly string[];
  /** Token lifetime in seconds. Default 300. */
  ttlSeconds?: number;
  /**
   * `match` (default): the Basic username must be the reviewed username or, for a ServiceAccount,
   * `<namespace>/<name>` (or `<name>` in `userNamespace`). `ignore`: any username is accepted.
   */
  usernameCheck?: 'match' | 'ignore';
  /** Namespace whose ServiceAccounts are users (default `user-system`). */
  userNamespace?: string;
  rateLimits?: RegistryTokenRateLimits;
  downloadCounter?: DownloadCounter;
  log?: (event: RegistryTokenEvent) => void;
  now?: () => Date;
}

/** A Web-standard handler; `clientAddress` comes from the server's socket, never from headers. */
export type RegistryTokenHandler = (request: Request, info?: { clientAddress?: string }) => Promise<Response>;

const SERVICE = /^[\w.:@/-]{1,255}$/;

function limiter(
  limit: RateLimit | false | undefined,
  fallback: RateLimit,
  maxKeys: number | undefined,
): KeyedRateLimiter | undefined {
  if (limit === false) return undefined;
  return createRateLimiter({ ...(limit ?? fallback), ...(maxKeys !== undefined ? { maxKeys } : {}) });
}

// The limits' key: the address, plus the username when one is sent. Long usernames are hashed, so a key stays
// small and two names that share a prefix never share a bucket.
function clientKey(address: string, username: string | undefined): string {
  if (!username) return address;
  const name = username.length > 256 ? createHash('sha256').update(username).digest('base64url') : username;
  return `${address}\n${name}`;
}

function sanitize(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 128);
}

// A token typed into the username field must not reach the logs either.
function loggableUsername(value: string): string {
  return /^[\w-]+\.[\w-]+\./.test(value) || value.length > 128
    ? '[redacted: looks like a token]'
    : sanitize(value);
}

function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}) {
  return Response.json(
    { errors: [{ code, message }] },
    { status, headers: { 'cache-control': 'no-store', ...headers } },
  );
}

// Basic credentials cannot carry a ":" in the username (RFC 7617), so ServiceAccounts log in as
// `<namespace>/<name>`, or by bare name in the user namespace (the original's `sealos login -u <name>`).
function usernameMatches(sent: string, identity: RegistryIdentity, userNamespace: string): boolean {
  if (sent === identity.username) return true;
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(identity.username);
  if (!account) return false;
  return sent === `${account[1]}/${account[2]}` || (account[1] === userNamespace && sent === account[2]);
}

/**
 * The distribution token endpoint as a Web-standard handler: `GET ?service=S&scope=repository:org/repo:pull,push`
 * with Basic credentials (the password a Kubernetes bearer token) or none. Answers a signed JWT with the
 * granted subset of the scopes; refusals are distribution-style JSON errors that never echo credentials.
 */
export function createRegistryTokenHandler(options: RegistryTokenHandlerOptions): RegistryTokenHandler {
  const issuer = options.issuer ?? 'hub-token';
  const ttlSeconds = options.ttlSeconds ?? 300;
  const userNamespace = options.userNamespace ?? 'user-system';
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const limits = options.rateLimits ?? {};
  const maxKeys = limits.maxTrackedClients;
  const perAddress = limiter(limits.perAddress, { ratePerSecond: 20, burst: 40 }, maxKeys);
  const perUser = limiter(limits.perUser, { ratePerSecond: 10, burst: 20 }, maxKeys);
  const perClientFailures = limits.failuresPerClient ?? limits.failuresPerAddress;
  const failures =
    perClientFailures === false
      ? undefined
      : createFailureLimiter({
          perClient: perClientFailures ?? { ratePerSecond: 1 / 6, burst: 10 },
          ...(limits.failureBudget !== false
            ? { global: limits.failureBudget ?? { ratePerSecond: 2, burst: 300 } }
            : {}),
          ...(maxKeys !== undefined ? { maxKeys } : {}),
        });

  return async (request, info) => {
    const clientAddress = info?.clientAddress ?? 'unknown';
    let username: string | undefined;
    let service: string | undefined;
    let client = clientAddress;
    // Open while a password is being checked; an unsettled attempt is given back (not the client's fault).
    let attempt: Extract<FailureAttempt, { allowed: true }> | undefined;
    const deny = (reason: RegistryTokenDenial, response: Response): Response => {
      log({
        type: 'denied',
        reason,
        clientAddress,
        ...(username !== undefined ? { username: loggableUsername(username) } : {}),
        ...(service !== undefined ? { service: sanitize(service) } : {}),
        status: response.status,
      });
      return response;
    };
    const tooMany = (retryAfterSeconds: number) =>
      deny(
        'rate-limited',
        errorResponse(429, 'TOOMANYREQUESTS', 'too many token requests; retry later', {
          'retry-after': String(retryAfterSeconds),
        }),
      );
    const unauthorized = (reason: RegistryTokenDenial, message: string) => {
      if (attempt) attempt.settle(true);
      else failures?.fail(client);
      attempt = undefined;
      return deny(
        reason,
        errorResponse(401, 'UNAUTHORIZED', message, { 'www-authenticate': `Basic realm="${issuer}"` }),
      );
    };

    if (request.method !== 'GET') {
      return errorResponse(405, 'UNSUPPORTED', 'the token endpoint answers GET', { allow: 'GET' });
    }
    try {
      const credentials = parseBasicCredentials(request.headers.get('authorization'));
      if (credentials.kind === 'basic') client = clientKey(clientAddress, credentials.username);
      const addressDecision = perAddress?.take(client);
      if (addressDecision && !addressDecision.allowed) return tooMany(addressDecision.retryAfterSeconds);

      const url = new URL(request.url);
      service = url.searchParams.get('service') ?? undefined;
      if (
        service === undefined ||
        !SERVICE.test(service) ||
        (options.services && !options.services.includes(service))
      ) {
        return deny(
          'bad-request',
          errorResponse(
            400,
            'INVALID_REQUEST',
            'the service parameter names no registry this server issues tokens for',
          ),
        );
      }
      const scopes = parseScopes(url.searchParams.getAll('scope'));

      let identity: RegistryIdentity | undefined;
      if (credentials.kind === 'invalid') {
        return unauthorized(
          'malformed-authorization',
          'send Basic credentials: a username and a Kubernetes bearer token as the password',
        );
      }
      if (credentials.kind === 'basic') {
        username = credentials.username;
        const allowed = failures?.attempt(client);
        if (allowed && !allowed.allowed) return tooMany(allowed.retryAfterSeconds);
        attempt = allowed;
        if (credentials.password === '')
          return unauthorized('invalid-credentials', 'the password is empty: use a Kubernetes bearer token');
        if (looksLikeKubeconfig(credentials.password)) {
          return unauthorized(
            'kubeconfig-password',
            'the password must be a Kubernetes bearer token, not a kubeconfig',
          );
        }
        identity = await options.authenticator.authenticate(credentials.password);
        if (!identity)
          return unauthorized('invalid-credentials', 'authentication failed: the token was not accepted');
        if (
          options.usernameCheck !== 'ignore' &&
          !usernameMatches(credentials.username, identity, userNamespace)
        ) {
          return unauthorized(
            'username-mismatch',
            'authentication failed: the username does not belong to the token',
          );
        }
        attempt?.settle(false);
        attempt = undefined;
        const userDecision = perUser?.take(identity.username);
        if (userDecision && !userDecision.allowed) return tooMany(userDecision.retryAfterSeconds);
      }

      const { access, downloads } = authorizeScopes({
        scopes,
        identity,
        cache: options.cache,
        userNamespace,
      });
      const body = await signRegistryToken(options.keyRing.signingKey(), {
        issuer,
        service,
        subject: identity?.username ?? '',
        access,
        ttlSeconds,
        now: now(),
      });
      for (const name of downloads) options.downloadCounter?.record(name);
      log({
        type: 'issued',
        clientAddress,
        subject: identity?.username ?? '',
        scopes: access.map((scope) => formatResourceScope(scope)),
        service,
      });
      return Response.json(body, { headers: { 'cache-control': 'no-store' } });
    } catch (error) {
      if (isRegistryAuthError(error) && error.code === 'INVALID_REQUEST') {
        return deny('bad-request', errorResponse(400, 'INVALID_REQUEST', error.message));
      }
      if (isRegistryAuthError(error) && error.code === 'TOKEN_REVIEW_FAILED') {
        return deny(
          'review-failed',
          errorResponse(503, 'UNAVAILABLE', 'cannot check credentials now; retry', { 'retry-after': '1' }),
        );
      }
      const hubError = toHubError(error);
      log({ type: 'error', message: hubError.message, code: hubError.code });
      return errorResponse(500, 'INTERNAL', `the token server failed (${hubError.code})`);
    } finally {
      attempt?.settle(false);
    }
  };
}

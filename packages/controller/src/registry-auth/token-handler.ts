import { createHash } from 'node:crypto';
import { toHubError } from '@hub/api-types/errors';
import { authorizeScopes, type RegistryAuthCache } from './authorize.ts';
import { looksLikeKubeconfig, parseBasicCredentials, type RequestCredentials } from './basic-credentials.ts';
import type { DownloadCounter } from './download-counter.ts';
import { isRegistryAuthError } from './errors.ts';
import type { RegistryIdentity } from './identity.ts';
import type { KeyRing } from './key-ring.ts';
import {
  createFailureLimiter,
  createRateLimiter,
  type FailureAttempt,
  type FailureLimiter,
  type KeyedRateLimiter,
  type RateLimit,
} from './rate-limiter.ts';
import { signRegistryToken } from './registry-token.ts';
import { formatResourceScope, parseScopes, type ResourceScope } from './scope.ts';
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

/** What every request of one handler shares: the options with their defaults, and the rate limiters. */
interface TokenIssuer {
  readonly options: RegistryTokenHandlerOptions;
  readonly issuer: string;
  readonly ttlSeconds: number;
  readonly userNamespace: string;
  readonly now: () => Date;
  readonly log: (event: RegistryTokenEvent) => void;
  readonly perAddress: KeyedRateLimiter | undefined;
  readonly perUser: KeyedRateLimiter | undefined;
  readonly failures: FailureLimiter | undefined;
}

/** One request's state, as far as it has been read: who asks, for which service, and an open password check. */
interface TokenRequest {
  readonly clientAddress: string;
  /** The limits' key (`clientKey`). */
  client: string;
  username?: string;
  service?: string | undefined;
  /** Open while a password is being checked; an unsettled attempt is given back (not the client's fault). */
  attempt?: Extract<FailureAttempt, { allowed: true }> | undefined;
}

/**
 * The distribution token endpoint as a Web-standard handler: `GET ?service=S&scope=repository:org/repo:pull,push`
 * with Basic credentials (the password a Kubernetes bearer token) or none. Answers a signed JWT with the
 * granted subset of the scopes; refusals are distribution-style JSON errors that never echo credentials.
 */
export function createRegistryTokenHandler(options: RegistryTokenHandlerOptions): RegistryTokenHandler {
  const limits = options.rateLimits ?? {};
  const maxKeys = limits.maxTrackedClients;
  const perClientFailures = limits.failuresPerClient ?? limits.failuresPerAddress;
  const issuer: TokenIssuer = {
    options,
    issuer: options.issuer ?? 'hub-token',
    ttlSeconds: options.ttlSeconds ?? 300,
    userNamespace: options.userNamespace ?? 'user-system',
    now: options.now ?? (() => new Date()),
    log: options.log ?? (() => {}),
    perAddress: limiter(limits.perAddress, { ratePerSecond: 20, burst: 40 }, maxKeys),
    perUser: limiter(limits.perUser, { ratePerSecond: 10, burst: 20 }, maxKeys),
    failures:
      perClientFailures === false
        ? undefined
        : createFailureLimiter({
            perClient: perClientFailures ?? { ratePerSecond: 1 / 6, burst: 10 },
            ...(limits.failureBudget !== false
              ? { global: limits.failureBudget ?? { ratePerSecond: 2, burst: 300 } }
              : {}),
            ...(maxKeys !== undefined ? { maxKeys } : {}),
          }),
  };

  return async (request, info) => {
    if (request.method !== 'GET') {
      return errorResponse(405, 'UNSUPPORTED', 'the token endpoint answers GET', { allow: 'GET' });
    }
    const clientAddress = info?.clientAddress ?? 'unknown';
    const state: TokenRequest = { clientAddress, client: clientAddress };
    try {
      return await answer(issuer, state, request);
    } catch (error) {
      return failed(issuer, state, error);
    } finally {
      state.attempt?.settle(false);
    }
  };
}

/** Rate limits, the service, the credentials, then the token for the scopes granted. */
async function answer(issuer: TokenIssuer, state: TokenRequest, request: Request): Promise<Response> {
  const credentials = parseBasicCredentials(request.headers.get('authorization'));
  if (credentials.kind === 'basic') state.client = clientKey(state.clientAddress, credentials.username);
  const addressDecision = issuer.perAddress?.take(state.client);
  if (addressDecision && !addressDecision.allowed)
    return tooMany(issuer, state, addressDecision.retryAfterSeconds);

  const url = new URL(request.url);
  const service = url.searchParams.get('service') ?? undefined;
  state.service = service;
  if (
    service === undefined ||
    !SERVICE.test(service) ||
    (issuer.options.services && !issuer.options.services.includes(service))
  ) {
    return deny(
      issuer,
      state,
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
      issuer,
      state,
      'malformed-authorization',
      'send Basic credentials: a username and a Kubernetes bearer token as the password',
    );
  }
  if (credentials.kind === 'basic') {
    const reviewed = await authenticate(issuer, state, credentials);
    if (reviewed instanceof Response) return reviewed;
    identity = reviewed;
  }
  return issue(issuer, state, { service, scopes, identity });
}

/** Reviews the Basic password (a bearer token) under the failure limits: the identity, or the refusal. */
async function authenticate(
  issuer: TokenIssuer,
  state: TokenRequest,
  credentials: Extract<RequestCredentials, { kind: 'basic' }>,
): Promise<RegistryIdentity | Response> {
  const { options } = issuer;
  state.username = credentials.username;
  const allowed = issuer.failures?.attempt(state.client);
  if (allowed && !allowed.allowed) return tooMany(issuer, state, allowed.retryAfterSeconds);
  state.attempt = allowed;
  if (credentials.password === '')
    return unauthorized(
      issuer,
      state,
      'invalid-credentials',
      'the password is empty: use a Kubernetes bearer token',
    );
  if (looksLikeKubeconfig(credentials.password)) {
    return unauthorized(
      issuer,
      state,
      'kubeconfig-password',
      'the password must be a Kubernetes bearer token, not a kubeconfig',
    );
  }
  const identity = await options.authenticator.authenticate(credentials.password);
  if (!identity)
    return unauthorized(
      issuer,
      state,
      'invalid-credentials',
      'authentication failed: the token was not accepted',
    );
  if (
    options.usernameCheck !== 'ignore' &&
    !usernameMatches(credentials.username, identity, issuer.userNamespace)
  ) {
    return unauthorized(
      issuer,
      state,
      'username-mismatch',
      'authentication failed: the username does not belong to the token',
    );
  }
  state.attempt?.settle(false);
  state.attempt = undefined;
  const userDecision = issuer.perUser?.take(identity.username);
  if (userDecision && !userDecision.allowed) return tooMany(issuer, state, userDecision.retryAfterSeconds);
  return identity;
}

/** Signs a token with the access the rule grants (none for anonymous beyond public pulls) and counts pulls. */
async function issue(
  issuer: TokenIssuer,
  state: TokenRequest,
  request: { service: string; scopes: ResourceScope[]; identity: RegistryIdentity | undefined },
): Promise<Response> {
  const { options } = issuer;
  const { service, scopes, identity } = request;
  const { access, downloads } = authorizeScopes({
    scopes,
    identity,
    cache: options.cache,
    userNamespace: issuer.userNamespace,
  });
  const body = await signRegistryToken(options.keyRing.signingKey(), {
    issuer: issuer.issuer,
    service,
    subject: identity?.username ?? '',
    access,
    ttlSeconds: issuer.ttlSeconds,
    now: issuer.now(),
  });
  for (const name of downloads) options.downloadCounter?.record(name);
  issuer.log({
    type: 'issued',
    clientAddress: state.clientAddress,
    subject: identity?.username ?? '',
    scopes: access.map((scope) => formatResourceScope(scope)),
    service,
  });
  return Response.json(body, { headers: { 'cache-control': 'no-store' } });
}

/** What a thrown error answers: 400 for a bad scope, 503 when the review failed, else 500 (logged). */
function failed(issuer: TokenIssuer, state: TokenRequest, error: unknown): Response {
  if (isRegistryAuthError(error) && error.code === 'INVALID_REQUEST') {
    return deny(issuer, state, 'bad-request', errorResponse(400, 'INVALID_REQUEST', error.message));
  }
  if (isRegistryAuthError(error) && error.code === 'TOKEN_REVIEW_FAILED') {
    return deny(
      issuer,
      state,
      'review-failed',
      errorResponse(503, 'UNAVAILABLE', 'cannot check credentials now; retry', { 'retry-after': '1' }),
    );
  }
  const hubError = toHubError(error);
  issuer.log({ type: 'error', message: hubError.message, code: hubError.code });
  return errorResponse(500, 'INTERNAL', `the token server failed (${hubError.code})`);
}

/** Logs a refusal (the username sanitised or redacted, never the password) and answers it. */
function deny(
  issuer: TokenIssuer,
  state: TokenRequest,
  reason: RegistryTokenDenial,
  response: Response,
): Response {
  issuer.log({
    type: 'denied',
    reason,
    clientAddress: state.clientAddress,
    ...(state.username !== undefined ? { username: loggableUsername(state.username) } : {}),
    ...(state.service !== undefined ? { service: sanitize(state.service) } : {}),
    status: response.status,
  });
  return response;
}

function tooMany(issuer: TokenIssuer, state: TokenRequest, retryAfterSeconds: number): Response {
  return deny(
    issuer,
    state,
    'rate-limited',
    errorResponse(429, 'TOOMANYREQUESTS', 'too many token requests; retry later', {
      'retry-after': String(retryAfterSeconds),
    }),
  );
}

/** A 401; the open password check is settled as a failure, or, with none open, one failure is counted. */
function unauthorized(
  issuer: TokenIssuer,
  state: TokenRequest,
  reason: RegistryTokenDenial,
  message: string,
): Response {
  if (state.attempt) state.attempt.settle(true);
  else issuer.failures?.fail(state.client);
  state.attempt = undefined;
  return deny(
    issuer,
    state,
    reason,
    errorResponse(401, 'UNAUTHORIZED', message, { 'www-authenticate': `Basic realm="${issuer.issuer}"` }),
  );
}

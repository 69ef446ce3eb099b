import { DataPackError } from '../errors.ts';
import type { ReviewedIdentity, TokenAuthenticator } from '../kube/token-review.ts';
import { createSessionSealer } from './session-cookie.ts';
import { DEFAULT_SESSION_MAX_AGE_MS, sessionExpiry } from './session-expiry.ts';

/** Sign-in with a Kubernetes token, kept encrypted in an HttpOnly cookie (see docs/datapack.md). */
export interface HubSessionOptions {
  /** Server secret(s), at least 32 characters, shared by every replica; the first one seals. */
  secret: string | readonly string[];
  /**
   * Reviews tokens with the hub's own audiences (`createTokenReviewAuthenticator`, best wrapped in
   * `cachedAuthenticator`): every request re-checks the token, so a revoked one stops working.
   */
  authenticator: TokenAuthenticator;
  /** Longest session (default 8 h); a JWT's `exp` ends it sooner. */
  maxAgeMs?: number | undefined;
  /** Default `hub_session`. */
  cookieName?: string | undefined;
  /** Mark the cookie Secure; default: when the request URL is https. */
  secureCookie?: boolean | undefined;
}

/** The signed-in user of a request. */
export interface HubSession {
  readonly user: string;
  readonly groups: readonly string[];
  /** The user's own token, for writes to the apiserver; never sent to the browser. */
  readonly token: string;
  readonly expiresAt: number;
}

export interface HubSessions {
  /** The request's session, with the identity the token has now; undefined when signed out. */
  current(request: Request): Promise<HubSession | undefined>;
  /** Reviews `token` and answers the session with its Set-Cookie; UNAUTHENTICATED when refused. */
  signIn(request: Request, token: string): Promise<{ session: HubSession; setCookie: string }>;
  /** The Set-Cookie that clears the session. */
  signOut(request: Request): string;
}

const COOKIE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function refused(): DataPackError {
  // One answer for every refusal: nothing tells an expired token from a forged one, and no token is echoed.
  return new DataPackError(
    'UNAUTHENTICATED',
    'the token was not accepted; sign in with a valid Kubernetes token.',
    {
      field: 'token',
    },
  );
}

/** Creates the session layer the handler's `/session` routes and `authorize` use. */
export function createHubSessions(options: HubSessionOptions): HubSessions {
  const sealer = createSessionSealer(options.secret);
  const name = options.cookieName ?? 'hub_session';
  if (!COOKIE_NAME.test(name)) {
    throw new DataPackError('INVALID_OPTION', 'the session cookie name must be letters, digits, - or _.', {
      field: 'session.cookieName',
    });
  }
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_SESSION_MAX_AGE_MS;
  const attributes = (request: Request, maxAgeSeconds: number) => {
    const secure = options.secureCookie ?? new URL(request.url).protocol === 'https:';
    return `Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
  };
  const review = async (token: string): Promise<ReviewedIdentity | undefined> => {
    try {
      return await options.authenticator.authenticate(token);
    } catch (cause) {
      // Cannot tell (the apiserver is down): neither a yes nor a no, and the token stays out of it.
      throw new DataPackError(
        'KUBE_API',
        'the apiserver could not check the sign-in token; try again shortly.',
        {
          cause,
          retryable: true,
        },
      );
    }
  };

  return {
    async current(request) {
      const value = cookieValue(request, name);
      if (value === undefined) return undefined;
      const payload = sealer.open(value);
      if (payload === undefined) return undefined;
      const identity = await review(payload.token);
      if (identity === undefined) return undefined;
      return {
        user: identity.username,
        groups: identity.groups,
        token: payload.token,
        expiresAt: payload.expiresAt,
      };
    },
    async signIn(request, token) {
      const now = Date.now();
      const expiresAt = sessionExpiry(token, now, maxAgeMs);
      if (expiresAt <= now) throw refused();
      const identity = await review(token);
      if (identity === undefined) throw refused();
      const session: HubSession = { user: identity.username, groups: identity.groups, token, expiresAt };
      const sealed = sealer.seal({ token, user: session.user, groups: session.groups, expiresAt });
      const maxAgeSeconds = Math.max(1, Math.floor((expiresAt - now) / 1000));
      return { session, setCookie: `${name}=${sealed}; ${attributes(request, maxAgeSeconds)}` };
    },
    signOut(request) {
      return `${name}=; ${attributes(request, 0)}`;
    },
  };
}

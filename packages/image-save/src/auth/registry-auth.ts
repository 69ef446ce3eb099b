import { AuthError } from './auth-error.ts';
import type { CredentialProvider, Credentials } from './credentials.ts';
import { dockerCredentials } from './credentials.ts';
import { parseWwwAuthenticate } from './www-authenticate.ts';

/** Minimal HTTP function the token flow needs; the registry client passes its own (same TLS/proxy setup). */
export type TokenHttp = (
  url: URL,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; body: string }>;

/** Options for {@link RegistryAuth}. */
export interface RegistryAuthOptions {
  /** Where credentials come from (default: docker config.json via {@link dockerCredentials}). */
  credentials?: CredentialProvider;
  /** Seconds to keep a token when the token server gives no `expires_in` (default 60, per the spec). */
  defaultTokenSeconds?: number;
  /** Clock (tests). */
  now?: () => number;
}

interface CachedHeader {
  header: string;
  expiresAt: number;
}

/**
 * Registry authentication: answers `WWW-Authenticate` challenges with a Bearer token (anonymous or
 * with credentials, refresh-token flow for identity tokens) or Basic auth, and caches the resulting
 * `Authorization` header per host and scope set, so every request after the first is sent pre-authorised.
 */
export class RegistryAuth {
  #credentials: CredentialProvider;
  #defaultSeconds: number;
  #now: () => number;
  #cache = new Map<string, CachedHeader>();
  // Hosts that asked for Basic: every scope shares one header.
  #basic = new Map<string, string>();
  #inflight = new Map<string, Promise<string | undefined>>();

  constructor(opts: RegistryAuthOptions = {}) {
    this.#credentials = opts.credentials ?? dockerCredentials();
    this.#defaultSeconds = opts.defaultTokenSeconds ?? 60;
    this.#now = opts.now ?? Date.now;
  }

  /** The cached `Authorization` header for `host` and `scopes`, if any is still valid. */
  cached(host: string, scopes: readonly string[]): string | undefined {
    const basic = this.#basic.get(host);
    if (basic) return basic;
    const hit = this.#cache.get(cacheKey(host, scopes));
    if (!hit) return undefined;
    if (hit.expiresAt <= this.#now()) {
      this.#cache.delete(cacheKey(host, scopes));
      return undefined;
    }
    return hit.header;
  }

  /** Forgets cached headers for `host` (e.g. after a 401 with a cached token). */
  invalidate(host: string, scopes: readonly string[]): void {
    this.#cache.delete(cacheKey(host, scopes));
    this.#basic.delete(host);
  }

  /**
   * Answers a 401 challenge: returns the `Authorization` header to retry with, or undefined when the
   * challenge cannot be answered (e.g. Basic without credentials). Concurrent callers share one token request.
   * `plainHttpAllowed(host)` says whether credentials may go to a token realm on `http://` at `host`
   * (the client passes its `plainHttp` list); by default they never do.
   */
  async respond(
    host: string,
    scopes: readonly string[],
    wwwAuthenticate: string,
    http: TokenHttp,
    plainHttpAllowed: (host: string) => boolean = () => false,
  ): Promise<string | undefined> {
    const key = cacheKey(host, scopes);
    const running = this.#inflight.get(key);
    if (running) return running;
    const work = this.#respond(host, scopes, wwwAuthenticate, http, plainHttpAllowed).finally(() =>
      this.#inflight.delete(key),
    );
    this.#inflight.set(key, work);
    return work;
  }

  async #respond(
    host: string,
    scopes: readonly string[],
    wwwAuthenticate: string,
    http: TokenHttp,
    plainHttpAllowed: (host: string) => boolean,
  ) {
    const challenges = parseWwwAuthenticate(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const creds = await this.#credentials(host);
    if (bearer) {
      const token = await this.#fetchToken(host, scopes, bearer.params, creds, http, plainHttpAllowed);
      this.#cache.set(cacheKey(host, scopes), {
        header: `Bearer ${token.token}`,
        expiresAt: token.expiresAt,
      });
      return `Bearer ${token.token}`;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (creds?.kind !== 'basic') return undefined;
      const header = basicHeader(creds.username, creds.password);
      this.#basic.set(host, header);
      return header;
    }
    throw new AuthError(
      'CHALLENGE_INVALID',
      `${host} sent an authentication challenge that is neither Bearer nor Basic.`,
      {
        host,
      },
    );
  }

  async #fetchToken(
    host: string,
    scopes: readonly string[],
    params: Record<string, string>,
    creds: Credentials | undefined,
    http: TokenHttp,
    plainHttpAllowed: (host: string) => boolean,
  ): Promise<{ token: string; expiresAt: number }> {
    const realm = params.realm;
    if (!realm)
      throw new AuthError('CHALLENGE_INVALID', `${host} sent a Bearer challenge without a realm.`, { host });
    let url: URL;
    try {
      url = new URL(realm);
    } catch (cause) {
      throw new AuthError('CHALLENGE_INVALID', `${host} sent a Bearer realm that is not a URL.`, {
        host,
        cause,
      });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new AuthError('CHALLENGE_INVALID', `${host} sent a Bearer realm that is not an http(s) URL.`, {
        host,
      });
    // A registry (or whoever answers for it) must not be able to steer our credentials onto the wire
    // in clear text: an http:// realm gets them only when its host was opted in to plain HTTP.
    if (creds && url.protocol === 'http:' && !plainHttpAllowed(url.host)) {
      throw new AuthError(
        'TOKEN_REALM_INSECURE',
        `${host} asks for credentials at a plain-HTTP token service (${url.host}); they are sent over HTTP only to hosts given with --plain-http (plainHttp).`,
        { host },
      );
    }
    const requested = scopes.length > 0 ? scopes : params.scope ? params.scope.split(' ') : [];
    let res: { status: number; body: string };
    if (creds?.kind === 'identity-token') {
      // OAuth2 refresh-token grant (docker's identity tokens).
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.token,
        client_id: 'hub-save',
      });
      if (params.service) form.set('service', params.service);
      if (requested.length > 0) form.set('scope', requested.join(' '));
      res = await http(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
    } else {
      if (params.service) url.searchParams.set('service', params.service);
      for (const scope of requested) url.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (creds?.kind === 'basic') headers.authorization = basicHeader(creds.username, creds.password);
      res = await http(url, { method: 'GET', headers });
    }
    if (res.status !== 200) {
      throw new AuthError(
        'TOKEN_FAILED',
        `The token service for ${host} answered HTTP ${res.status}${creds ? '; check the credentials in your docker config' : '; log in with docker login if the repository is private'}.`,
        { host, status: res.status },
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(res.body) as typeof body;
    } catch (cause) {
      throw new AuthError(
        'TOKEN_FAILED',
        `The token service for ${host} answered with something that is not JSON.`,
        {
          host,
          cause,
        },
      );
    }
    const token =
      typeof body.token === 'string'
        ? body.token
        : typeof body.access_token === 'string'
          ? body.access_token
          : '';
    if (token === '')
      throw new AuthError('TOKEN_FAILED', `The token service for ${host} returned no token.`, { host });
    const seconds =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : this.#defaultSeconds;
    // Renew a little early so a token never expires mid-request.
    return { token, expiresAt: this.#now() + Math.max(1, seconds - 10) * 1000 };
  }
}

function cacheKey(host: string, scopes: readonly string[]): string {
  return `${host} ${[...scopes].sort().join(' ')}`;
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

import type { Readable } from 'node:stream';
import { isHubError } from '@hub/api-types/errors';
import { type Dispatcher, request } from 'undici';
import { AuthError } from '../auth/auth-error.ts';
import { RegistryAuth } from '../auth/registry-auth.ts';
import { networkError, type RequestContext, statusError, statusToCode } from './error-mapping.ts';
import { REGISTRY_ERROR_RETRYABLE, RegistryError, type RegistryErrorCode } from './registry-error.ts';
import type { RegistryClientOptions, RepositoryLocation } from './registry-types.ts';
import { header, numberHeader } from './response-helpers.ts';
import { DEFAULT_RETRY, type RetryInfo, type RetryPolicy, withRetry } from './retry.ts';
import { readAtMost } from './streams.ts';
import { HostDispatchers } from './transport.ts';

/** One request as the registry calls describe it. */
export interface SendOptions extends RequestContext {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: Uint8Array | string | Readable | AsyncIterable<Uint8Array>;
  scopes: readonly string[];
  signal?: AbortSignal | undefined;
  /** Statuses that are answers, not errors. */
  ok: readonly number[];
  /** Whether retrying is safe (bodies that are streams cannot be replayed). */
  idempotent?: boolean;
  /** `false`: one try only (the caller retries, e.g. a blob body resumed from its last byte). */
  retry?: false;
}

export type Response = Dispatcher.ResponseData;

/** Largest token-service answer read, in bytes: real ones are a few KiB. */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/**
 * Requests to registries on the one retry path: the connection pools, bearer and basic auth answered
 * once per 401 with cached tokens, bounded retries with backoff for 429/5xx/resets honouring Retry-After,
 * and failures mapped to RegistryError. The manifest, blob and listing calls are built on it.
 */
export class RegistryRequester {
  readonly dispatchers: HostDispatchers;
  /** Largest manifest accepted, in bytes. */
  readonly maxManifest: number;
  #auth: RegistryAuth | undefined;
  #retry: RetryPolicy;
  #userAgent: string;
  #onRetry: RegistryClientOptions['onRetry'];

  constructor(opts: RegistryClientOptions = {}) {
    this.dispatchers = new HostDispatchers(opts);
    this.#auth = opts.auth === false ? undefined : (opts.auth ?? new RegistryAuth());
    this.#retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.maxManifest = opts.maxManifestBytes ?? 4 * 1024 * 1024;
    this.#userAgent = opts.userAgent ?? 'hub-save';
    this.#onRetry = opts.onRetry;
  }

  url(registry: string, path: string): URL {
    return new URL(`${this.dispatchers.scheme(registry)}//${apiHost(registry)}${path}`);
  }

  send(registry: string, path: string, o: SendOptions): Promise<Response> {
    return this.sendUrl(this.url(registry, path), o, true, registry);
  }

  /** One logical request whose body the caller streams: status and connection failures are retried. */
  sendUrl(url: URL, o: SendOptions, authorize: boolean, registry = url.host): Promise<Response> {
    return this.request(url, o, authorize, registry, async (res) => res);
  }

  /**
   * One logical request and the reading of its answer, on the one retry path: auth (once on 401), then
   * `read`; a reset, a short body or a retryable status anywhere in it starts the whole request again.
   */
  request<T>(
    url: URL,
    o: SendOptions,
    authorize: boolean,
    registry: string,
    read: (res: Response) => Promise<T>,
  ): Promise<T> {
    const policy = isReplayable(o) && o.retry !== false ? this.#retry : { ...this.#retry, attempts: 1 };
    return withRetry(
      async () => {
        const res = await this.#once(url, o, authorize, registry);
        try {
          return await read(res);
        } catch (error) {
          res.body.destroy();
          throw isHubError(error) ? error : networkError(error, url.host, o, 'mid-body');
        }
      },
      {
        policy,
        signal: o.signal,
        onRetry: this.#reportRetry(url, o),
      },
    );
  }

  /** The `onRetry` of one request: what {@link RegistryClientOptions.onRetry} hears. */
  #reportRetry(url: URL, o: RequestContext): (info: RetryInfo) => void {
    return ({ attempt, delayMs, error }) =>
      this.#onRetry?.({
        host: url.host,
        path: url.pathname,
        attempt,
        delayMs,
        error: error as RegistryError,
        ...(o.reference ? { reference: o.reference } : {}),
      });
  }

  /** One HTTP exchange: answers a 401 challenge once, maps failures to typed errors. */
  async #once(url: URL, o: SendOptions, authorize: boolean, registry: string): Promise<Response> {
    for (let triedAuth = false; ; triedAuth = true) {
      const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...o.headers };
      const cached = authorize ? this.#auth?.cached(registry, o.scopes) : undefined;
      if (cached) headers.authorization = cached;
      let res: Response;
      try {
        res = await request(url, {
          method: o.method,
          headers,
          ...(o.body === undefined ? {} : { body: o.body as Uint8Array }),
          dispatcher: this.dispatchers.for(url.host),
          ...(o.signal ? { signal: o.signal } : {}),
        });
      } catch (cause) {
        throw networkError(cause, url.host, o, 'request');
      }
      const status = res.statusCode;
      if (status === 401 && authorize && this.#auth && !triedAuth) {
        const challenge = header(res, 'www-authenticate');
        await res.body.dump();
        if (challenge) {
          this.#auth.invalidate(registry, o.scopes);
          const answer = await this.#auth.respond(
            registry,
            o.scopes,
            challenge,
            (u, init) => this.#tokenHttp(u, init, o.signal),
            (realmHost) => this.dispatchers.scheme(realmHost) === 'http:',
          );
          // A streamed body is spent: only a replayable request may be sent again with the answer.
          if (answer && isReplayable(o)) continue;
        }
        throw await statusError(status, undefined, url, o);
      }
      if (o.ok.includes(status)) return res;
      throw await statusError(status, res, url, o);
    }
  }

  /** A token request, on the same retry path: 429/5xx and cut bodies are retried, other answers returned. */
  #tokenHttp(
    url: URL,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; body: string }> {
    const o: SendOptions = {
      method: init.method,
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      scopes: [],
      signal,
      ok: [],
      what: `the token from ${url.host}`,
    };
    return withRetry(
      async () => {
        let res: Response;
        try {
          res = await request(url, {
            method: init.method,
            headers: { 'user-agent': this.#userAgent, ...init.headers },
            ...(init.body === undefined ? {} : { body: init.body }),
            dispatcher: this.dispatchers.for(url.host),
            ...(signal ? { signal } : {}),
          });
        } catch (cause) {
          throw networkError(cause, url.host, o, 'request');
        }
        if (REGISTRY_ERROR_RETRYABLE[statusToCode(res.statusCode, undefined)] && res.statusCode >= 400)
          throw await statusError(res.statusCode, res, url, o);
        const tooLarge = () =>
          new AuthError(
            'TOKEN_TOO_LARGE',
            `The token service ${url.host} answered with more than ${MAX_TOKEN_RESPONSE_BYTES} bytes.`,
            { host: url.host, status: res.statusCode },
          );
        // A token answer is a few KiB; never buffer an unbounded body from a realm the registry chose.
        const declared = numberHeader(res, 'content-length');
        if (declared !== undefined && declared > MAX_TOKEN_RESPONSE_BYTES) {
          res.body.destroy();
          throw tooLarge();
        }
        let bytes: Uint8Array | undefined;
        try {
          bytes = await readAtMost(res.body, MAX_TOKEN_RESPONSE_BYTES);
        } catch (cause) {
          res.body.destroy();
          throw networkError(cause, url.host, o, 'mid-body');
        }
        if (!bytes) throw tooLarge();
        return { status: res.statusCode, body: Buffer.from(bytes).toString('utf8') };
      },
      {
        policy: this.#retry,
        signal,
        onRetry: this.#reportRetry(url, o),
      },
    );
  }

  error(
    code: RegistryErrorCode,
    message: string,
    loc: RepositoryLocation,
    reference?: string,
  ): RegistryError {
    return new RegistryError(code, message, {
      host: loc.registry,
      repository: loc.repository,
      ...(reference ? { reference } : {}),
    });
  }
}

/** Whether a request may be sent again: not when its body is a stream already consumed. */
function isReplayable(o: SendOptions): boolean {
  return (
    o.idempotent ?? !(o.body !== undefined && typeof o.body === 'object' && !(o.body instanceof Uint8Array))
  );
}

/** The API host for a registry name: Docker Hub's API lives at registry-1.docker.io. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

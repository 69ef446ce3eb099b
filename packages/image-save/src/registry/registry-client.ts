import type { Readable } from 'node:stream';
import { isHubError } from '@hub/api-types/errors';
import { type Dispatcher, request } from 'undici';
import { RegistryAuth } from '../auth/registry-auth.ts';
import { digestBytes, parseDigest } from '../digest/digest.ts';
import { networkError, type RequestContext, statusError, statusToCode } from './error-mapping.ts';
import { MANIFEST_ACCEPT, MediaType } from './media-types.ts';
import { REGISTRY_ERROR_RETRYABLE, RegistryError, type RegistryErrorCode } from './registry-error.ts';
import {
  blobPath,
  header,
  isRedirect,
  manifestPath,
  numberHeader,
  pullScope,
  pushScope,
} from './response-helpers.ts';
import { DEFAULT_RETRY, type RetryInfo, type RetryPolicy, withRetry } from './retry.ts';
import { rechunk } from './streams.ts';
import { HostDispatchers, type TransportOptions } from './transport.ts';

export { digestStream } from './streams.ts';

/** Options for {@link RegistryClient}. */
export interface RegistryClientOptions extends TransportOptions {
  /** Authentication (default: docker config.json credentials); `false` sends no credentials. */
  auth?: RegistryAuth | false;
  /** Retry policy for 429, 5xx, connection resets and timeouts. */
  retry?: Partial<RetryPolicy>;
  /** Largest manifest accepted, in bytes (default 4 MiB, as the distribution registry). */
  maxManifestBytes?: number;
  userAgent?: string;
  /** Called before each retry (for progress/event streams). */
  onRetry?: (info: RegistryRetry) => void;
}

/** One retry of a registry request, as reported to {@link RegistryClientOptions.onRetry}. */
export interface RegistryRetry {
  host: string;
  path: string;
  /** The try that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: RegistryError;
  /** The tag or digest being fetched, when there is one. */
  reference?: string;
}

/** A repository on a registry host. */
export interface RepositoryLocation {
  /** Registry host as written in references (`docker.io`, `127.0.0.1:5000`). */
  registry: string;
  repository: string;
}

/** A manifest fetched byte-exact. */
export interface FetchedManifest {
  bytes: Uint8Array;
  digest: string;
  mediaType: string;
  size: number;
}

/** A manifest's identity from a HEAD request. */
export interface ManifestHead {
  digest: string | undefined;
  mediaType: string;
  size: number | undefined;
}

/** A blob body being streamed. */
export interface BlobResponse {
  /** The body; consume it fully or destroy it. */
  body: Readable;
  /** Offset of the first byte of `body` (the Range start when the server honoured it, else 0). */
  start: number;
  /** Length of `body` when the server said (Content-Length). */
  length: number | undefined;
}

interface SendOptions extends RequestContext {
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

type Response = Dispatcher.ResponseData;

/**
 * An OCI distribution client over undici: one connection pool per host (keep-alive, capped), bearer
 * and basic auth with cached tokens, bounded retries with backoff for 429/5xx/resets honouring
 * Retry-After, an idle watchdog, and blob redirects followed without the Authorization header.
 */
export class RegistryClient {
  readonly dispatchers: HostDispatchers;
  #auth: RegistryAuth | undefined;
  #retry: RetryPolicy;
  #maxManifest: number;
  #userAgent: string;
  #onRetry: RegistryClientOptions['onRetry'];

  constructor(opts: RegistryClientOptions = {}) {
    this.dispatchers = new HostDispatchers(opts);
    this.#auth = opts.auth === false ? undefined : (opts.auth ?? new RegistryAuth());
    this.#retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.#maxManifest = opts.maxManifestBytes ?? 4 * 1024 * 1024;
    this.#userAgent = opts.userAgent ?? 'hub-save';
    this.#onRetry = opts.onRetry;
  }

  /** Closes every pooled connection. */
  close(): Promise<void> {
    return this.dispatchers.close();
  }

  /**
   * Fetches a manifest byte-exact by tag or digest. Checks Content-Length, the size limit, and the
   * digest (against the requested digest, else against `Docker-Content-Digest` when sent).
   */
  async getManifest(
    loc: RepositoryLocation,
    reference: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<FetchedManifest> {
    const what = `manifest ${reference}`;
    const url = this.#url(loc.registry, manifestPath(loc, reference));
    const o: SendOptions = {
      method: 'GET',
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      scopes: [pullScope(loc.repository)],
      signal: opts.signal,
      ok: [200],
      repository: loc.repository,
      reference,
      what,
    };
    // The body is read inside the retry path: a manifest cut mid-transfer is asked for again.
    return this.#request(url, o, true, loc.registry, async (res) => {
      const declared = numberHeader(res, 'content-length');
      if (declared !== undefined && declared > this.#maxManifest) {
        await res.body.dump();
        throw this.#error(
          'MANIFEST_TOO_LARGE',
          `${what} from ${loc.registry} is ${declared} bytes, over the ${this.#maxManifest}-byte limit`,
          loc,
          reference,
        );
      }
      const bytes = new Uint8Array(await res.body.arrayBuffer());
      if (declared !== undefined && declared !== bytes.byteLength) {
        throw this.#error(
          'SIZE_MISMATCH',
          `${what} from ${loc.registry} arrived with ${bytes.byteLength} of the announced ${declared} bytes`,
          loc,
          reference,
        );
      }
      const expected = parseDigest(reference) ? reference : header(res, 'docker-content-digest');
      const expectedDigest = expected ? parseDigest(expected) : undefined;
      // The digest is computed with the algorithm of the digest asked for (or announced): sha512 stays sha512.
      const digest = digestBytes(bytes, expectedDigest?.algorithm ?? 'sha256');
      if (expectedDigest && digest !== expected) {
        throw this.#error(
          'DIGEST_MISMATCH',
          `${what} from ${loc.registry} hashes to ${digest}, not ${expected}`,
          loc,
          reference,
        );
      }
      const mediaType = (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
      return { bytes, digest, mediaType, size: bytes.byteLength };
    });
  }

  /** HEADs a manifest; undefined when it does not exist. Costs no Docker Hub pull quota. */
  async headManifest(
    loc: RepositoryLocation,
    reference: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<ManifestHead | undefined> {
    const res = await this.#send(loc.registry, manifestPath(loc, reference), {
      method: 'HEAD',
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      scopes: [pullScope(loc.repository)],
      signal: opts.signal,
      ok: [200, 404],
      repository: loc.repository,
      reference,
      what: `manifest ${reference}`,
    });
    await res.body.dump();
    if (res.statusCode === 404) return undefined;
    return {
      digest: header(res, 'docker-content-digest'),
      mediaType: (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '',
      size: numberHeader(res, 'content-length'),
    };
  }

  /**
   * Streams a blob, optionally from `offset` (HTTP Range). Redirects to object storage are followed
   * without the Authorization header. Check `start`: a server that ignores Range starts at 0.
   * `retry: false` makes one try only, for callers that retry the whole transfer themselves (resuming it).
   */
  async getBlob(
    loc: RepositoryLocation,
    digest: string,
    opts: { offset?: number; signal?: AbortSignal; retry?: false } = {},
  ): Promise<BlobResponse> {
    const offset = opts.offset ?? 0;
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const what = `blob ${digest}`;
    const once = opts.retry === false ? { retry: false as const } : {};
    let res = await this.#send(loc.registry, blobPath(loc, digest), {
      method: 'GET',
      headers,
      scopes: [pullScope(loc.repository)],
      signal: opts.signal,
      ok: [200, 206, 307, 302, 301, 303, 308, 416],
      repository: loc.repository,
      reference: digest,
      what,
      ...once,
    });
    for (let hops = 0; isRedirect(res.statusCode); hops++) {
      const location = header(res, 'location');
      await res.body.dump();
      if (!location || hops >= 5) {
        throw this.#error(
          'UNEXPECTED_STATUS',
          `${loc.registry} redirected ${what} without a usable Location`,
          loc,
          digest,
        );
      }
      const base = `${this.dispatchers.scheme(loc.registry)}//${apiHost(loc.registry)}${blobPath(loc, digest)}`;
      res = await this.#sendUrl(
        new URL(location, base),
        {
          method: 'GET',
          headers,
          signal: opts.signal,
          scopes: [],
          ok: [200, 206, 416, 301, 302, 303, 307, 308],
          repository: loc.repository,
          reference: digest,
          what,
          ...once,
        },
        false,
      );
    }
    if (res.statusCode === 416) {
      await res.body.dump();
      throw this.#error(
        'RANGE_NOT_SATISFIABLE',
        `${loc.registry} refused to resume ${what} at byte ${offset} (HTTP 416)`,
        loc,
        digest,
      );
    }
    const length = numberHeader(res, 'content-length');
    let start = 0;
    if (res.statusCode === 206) {
      const m = /bytes (\d+)-/.exec(header(res, 'content-range') ?? '');
      start = m ? Number(m[1]) : offset;
    }
    return { body: res.body, start, length };
  }

  /** HEADs a blob: its size, or undefined when the repository does not have it. */
  async headBlob(
    loc: RepositoryLocation,
    digest: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ size: number | undefined } | undefined> {
    const res = await this.#send(loc.registry, blobPath(loc, digest), {
      method: 'HEAD',
      scopes: [pullScope(loc.repository)],
      signal: opts.signal,
      ok: [200, 404, 307, 302],
      repository: loc.repository,
      reference: digest,
      what: `blob ${digest}`,
    });
    await res.body.dump();
    if (res.statusCode === 404) return undefined;
    return { size: numberHeader(res, 'content-length') };
  }

  /** Tries a cross-repository mount; true when the blob is now in `loc` without an upload. */
  async mountBlob(
    loc: RepositoryLocation,
    digest: string,
    fromRepository: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const path = `/v2/${loc.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`;
    const res = await this.#send(loc.registry, path, {
      method: 'POST',
      scopes: [pushScope(loc.repository), pullScope(fromRepository)],
      signal: opts.signal,
      ok: [201, 202],
      repository: loc.repository,
      reference: digest,
    });
    await res.body.dump();
    if (res.statusCode === 201) return true;
    // 202: the registry opened an upload instead; cancel it so it does not linger.
    const location = header(res, 'location');
    if (location) await this.#cancelUpload(loc, location);
    return false;
  }

  /**
   * Uploads a blob: monolithic (POST then one PUT) by default, or chunked (PATCH per `chunkSize`
   * bytes) when `chunkSize` is set. Skips the upload when the blob already exists.
   */
  async putBlob(
    loc: RepositoryLocation,
    digest: string,
    content: Uint8Array | AsyncIterable<Uint8Array>,
    opts: { size?: number; chunkSize?: number; signal?: AbortSignal } = {},
  ): Promise<{ uploaded: boolean }> {
    if (await this.headBlob(loc, digest, opts.signal ? { signal: opts.signal } : {}))
      return { uploaded: false };
    const scopes = [pushScope(loc.repository)];
    const started = await this.#send(loc.registry, `/v2/${loc.repository}/blobs/uploads/`, {
      method: 'POST',
      scopes,
      signal: opts.signal,
      ok: [202],
      repository: loc.repository,
      reference: digest,
    });
    await started.body.dump();
    let location = this.#uploadUrl(loc, header(started, 'location'));
    if (opts.chunkSize !== undefined && opts.chunkSize > 0) {
      let offset = 0;
      for await (const chunk of rechunk(content, opts.chunkSize)) {
        const res = await this.#sendUrl(
          location,
          {
            method: 'PATCH',
            headers: {
              'content-type': 'application/octet-stream',
              'content-range': `${offset}-${offset + chunk.byteLength - 1}`,
              'content-length': String(chunk.byteLength),
            },
            body: chunk,
            scopes,
            signal: opts.signal,
            ok: [202],
            repository: loc.repository,
            reference: digest,
          },
          true,
        );
        await res.body.dump();
        offset += chunk.byteLength;
        location = this.#uploadUrl(loc, header(res, 'location') ?? location.toString());
      }
      location.searchParams.set('digest', digest);
      const done = await this.#sendUrl(
        location,
        {
          method: 'PUT',
          headers: { 'content-length': '0' },
          scopes,
          signal: opts.signal,
          ok: [201],
          repository: loc.repository,
          reference: digest,
        },
        true,
      );
      await done.body.dump();
      return { uploaded: true };
    }
    location.searchParams.set('digest', digest);
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    const size = content instanceof Uint8Array ? content.byteLength : opts.size;
    if (size !== undefined) headers['content-length'] = String(size);
    const done = await this.#sendUrl(
      location,
      {
        method: 'PUT',
        headers,
        body: content,
        scopes,
        signal: opts.signal,
        ok: [201],
        repository: loc.repository,
        reference: digest,
        idempotent: content instanceof Uint8Array,
      },
      true,
    );
    await done.body.dump();
    return { uploaded: true };
  }

  /** Uploads a manifest under a tag or its digest; returns the digest of the bytes sent. */
  async putManifest(
    loc: RepositoryLocation,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<string> {
    const res = await this.#send(loc.registry, manifestPath(loc, reference), {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: [pushScope(loc.repository)],
      signal: opts.signal,
      ok: [201],
      repository: loc.repository,
      reference,
    });
    await res.body.dump();
    return digestBytes(bytes);
  }

  /**
   * The OCI Referrers API answer for `digest` (`GET /v2/<name>/referrers/<digest>`), byte-exact;
   * undefined when the registry does not offer the API (404, 400, 405), so callers fall back to the
   * referrers tag schema.
   */
  async getReferrers(
    loc: RepositoryLocation,
    digest: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ bytes: Uint8Array; mediaType: string } | undefined> {
    const url = this.#url(loc.registry, `/v2/${loc.repository}/referrers/${digest}`);
    const o: SendOptions = {
      method: 'GET',
      headers: { accept: MediaType.OciIndex },
      scopes: [pullScope(loc.repository)],
      signal: opts.signal,
      ok: [200, 400, 404, 405],
      repository: loc.repository,
      reference: digest,
      what: `the referrers of ${digest}`,
    };
    return this.#request(url, o, true, loc.registry, async (res) => {
      if (res.statusCode !== 200) {
        await res.body.dump();
        return undefined;
      }
      const declared = numberHeader(res, 'content-length');
      if (declared !== undefined && declared > this.#maxManifest) {
        await res.body.dump();
        return undefined;
      }
      const bytes = new Uint8Array(await res.body.arrayBuffer());
      if (declared !== undefined && declared !== bytes.byteLength) {
        throw this.#error('SIZE_MISMATCH', `the referrers of ${digest} arrived cut short`, loc, digest);
      }
      const mediaType = (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
      return { bytes, mediaType };
    });
  }

  /** Every tag of a repository, following `Link` pagination. */
  async listTags(
    loc: RepositoryLocation,
    opts: { pageSize?: number; signal?: AbortSignal } = {},
  ): Promise<string[]> {
    return this.#paginate(
      loc.registry,
      `/v2/${loc.repository}/tags/list?n=${opts.pageSize ?? 1000}`,
      'tags',
      [pullScope(loc.repository)],
      opts.signal,
      loc.repository,
    );
  }

  /** Every repository name from `_catalog`, following `Link` pagination. */
  async catalog(registry: string, opts: { pageSize?: number; signal?: AbortSignal } = {}): Promise<string[]> {
    return this.#paginate(
      registry,
      `/v2/_catalog?n=${opts.pageSize ?? 1000}`,
      'repositories',
      ['registry:catalog:*'],
      opts.signal,
    );
  }

  async #paginate(
    registry: string,
    first: string,
    field: 'tags' | 'repositories',
    scopes: string[],
    signal: AbortSignal | undefined,
    repository?: string,
  ): Promise<string[]> {
    const out: string[] = [];
    let path: string | undefined = first;
    for (let page = 0; path && page < 10_000; page++) {
      const o: SendOptions = {
        method: 'GET',
        scopes,
        signal,
        ok: [200],
        what: field === 'tags' ? 'the tag list' : 'the catalog',
        ...(repository ? { repository } : {}),
      };
      const { body, res } = await this.#request(
        this.#url(registry, path),
        o,
        true,
        registry,
        async (res) => ({
          body: (await res.body.json()) as Record<string, unknown>,
          res,
        }),
      );
      const items = body[field];
      if (Array.isArray(items)) for (const t of items) if (typeof t === 'string') out.push(t);
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(res, 'link') ?? '');
      path = link?.[1]
        ? new URL(link[1], 'http://x').pathname + new URL(link[1], 'http://x').search
        : undefined;
    }
    return out;
  }

  async #cancelUpload(loc: RepositoryLocation, location: string): Promise<void> {
    try {
      const res = await this.#sendUrl(
        this.#uploadUrl(loc, location),
        {
          method: 'DELETE',
          scopes: [pushScope(loc.repository)],
          ok: [204, 404, 200],
          repository: loc.repository,
        },
        true,
      );
      await res.body.dump();
    } catch {
      // Stale uploads are purged by the registry anyway.
    }
  }

  #uploadUrl(loc: RepositoryLocation, location: string | undefined): URL {
    if (!location)
      throw this.#error(
        'UNEXPECTED_STATUS',
        `${loc.registry} opened an upload without a Location header`,
        loc,
      );
    return new URL(location, `${this.dispatchers.scheme(loc.registry)}//${apiHost(loc.registry)}`);
  }

  #url(registry: string, path: string): URL {
    return new URL(`${this.dispatchers.scheme(registry)}//${apiHost(registry)}${path}`);
  }

  #send(registry: string, path: string, o: SendOptions): Promise<Response> {
    return this.#sendUrl(this.#url(registry, path), o, true, registry);
  }

  /** One logical request whose body the caller streams: status and connection failures are retried. */
  #sendUrl(url: URL, o: SendOptions, authorize: boolean, registry = url.host): Promise<Response> {
    return this.#request(url, o, authorize, registry, async (res) => res);
  }

  /**
   * One logical request and the reading of its answer, on the one retry path: auth (once on 401), then
   * `read`; a reset, a short body or a retryable status anywhere in it starts the whole request again.
   */
  #request<T>(
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
          const answer = await this.#auth.respond(registry, o.scopes, challenge, (u, init) =>
            this.#tokenHttp(u, init, o.signal),
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
        try {
          return { status: res.statusCode, body: await res.body.text() };
        } catch (cause) {
          res.body.destroy();
          throw networkError(cause, url.host, o, 'mid-body');
        }
      },
      {
        policy: this.#retry,
        signal,
        onRetry: this.#reportRetry(url, o),
      },
    );
  }

  #error(
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

import { isAbortError } from '@hub/api-types/errors';
import { Agent, request } from 'undici';
import { isKubeApiError, KubeApiError, kubeApiErrorFromStatus } from './kube-api-error.ts';
import { type KubeConnection, type KubeConnectionSource, kubeConnection } from './kube-connection.ts';

/** What a request did, for counters (`rest_client_requests_total`, the controller's write count). */
export interface KubeRequestRecord {
  /** Kubernetes verb: get, list, watch, create, update, patch, apply, delete. */
  verb: KubeVerb;
  method: string;
  path: string;
  /** HTTP status, or 0 when no answer arrived. */
  status: number;
  durationMs: number;
}

export type KubeVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'apply' | 'delete';

export interface KubeRequestOptions {
  verb: KubeVerb;
  method?: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Content type of `body`; JSON by default. Apply uses `application/apply-patch+yaml` (JSON is valid YAML). */
  contentType?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Acts as this user instead of the kubeconfig's identity (a hub session). Only on a transport
   * made with `userCredentials: true`, which presents no client certificate of its own.
   */
  bearerToken?: string;
}

/**
 * One HTTP/1.1 connection pool to one apiserver, shared by every informer and client of a process
 * (client-node creates an Agent per request and watch, which leaks sockets: kubernetes-client/javascript#2893).
 */
export interface KubeTransport {
  readonly server: string;
  /** A JSON request; non-2xx answers throw {@link KubeApiError}. */
  request<T = unknown>(path: string, options: KubeRequestOptions): Promise<T>;
  /**
   * A streaming GET (watch): yields one parsed JSON object per line. `idleTimeoutMs` aborts the
   * stream when no byte arrives for that long.
   */
  stream(
    path: string,
    options: { query?: KubeRequestOptions['query']; signal: AbortSignal; idleTimeoutMs: number },
  ): AsyncGenerator<unknown>;
  /** Receives every finished request (also failed ones). */
  onRequest(listener: (record: KubeRequestRecord) => void): () => void;
  close(): Promise<void>;
}

export interface KubeTransportOptions {
  /** Max sockets to the apiserver (default 32; a watch holds one each). */
  connections?: number;
  /** Default per-request timeout (default 30 s). */
  timeoutMs?: number;
  userAgent?: string;
  /**
   * A transport for users' own tokens (`bearerToken` per request): it keeps the kubeconfig's CA
   * but presents none of its credentials, since a client certificate would authenticate first
   * and every write would run with the hub's rights instead of the user's.
   */
  userCredentials?: boolean;
}

function toQuery(query: KubeRequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The answer's JSON, or undefined when it is empty or not JSON (an error status then speaks for itself). */
function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** What the requests of one transport share: the server, the pool, the headers and the request listeners. */
interface Connection {
  readonly server: string;
  readonly agent: Agent;
  readonly userAgent: string;
  readonly defaultTimeout: number;
  /** The credentials' headers: the kubeconfig's, or with `userCredentials` the request's own bearer token. */
  readonly authHeaders: (bearerToken?: string) => Promise<Record<string, string>>;
  readonly emit: (record: KubeRequestRecord) => void;
}

/**
 * Builds the shared transport from `loadKubeconfig()`'s result (`@hub/api-types/kubeconfig`), a kubeconfig
 * document, or a client-node KubeConfig: its TLS material and credentials.
 */
export async function createKubeTransport(
  source: KubeConnectionSource,
  options: KubeTransportOptions = {},
): Promise<KubeTransport> {
  const connection = await kubeConnection(source);
  const tls = { ...connection.tls };
  const userCredentials = options.userCredentials === true;
  if (userCredentials) {
    delete tls.cert;
    delete tls.key;
  }
  const agent = connectionPool(tls, options.connections ?? 32);
  const listeners = new Set<(record: KubeRequestRecord) => void>();
  const c: Connection = {
    server: connection.server,
    agent,
    userAgent: options.userAgent ?? 'hub-controller',
    defaultTimeout: options.timeoutMs ?? 30_000,
    authHeaders: async (bearerToken) => {
      if (userCredentials) return bearerToken === undefined ? {} : { authorization: `Bearer ${bearerToken}` };
      if (bearerToken !== undefined) {
        throw new KubeApiError(
          'INVALID_CONFIG',
          'bearerToken needs a transport made with userCredentials: true',
        );
      }
      return connection.headers();
    },
    emit: (record) => {
      for (const listener of listeners) listener(record);
    },
  };
  return {
    server: c.server,
    request: <T>(path: string, opts: KubeRequestOptions) => sendRequest<T>(c, path, opts),
    stream: (path, opts) => streamLines(c, path, opts),
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => agent.close(),
  };
}

/** One undici pool to the apiserver with its TLS material and TCP keep-alive. */
function connectionPool(tls: KubeConnection['tls'], connections: number): Agent {
  return new Agent({
    connections,
    keepAliveTimeout: 30_000,
    connect: {
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
      ...(tls.servername ? { servername: tls.servername } : {}),
      // Dead peers must be noticed without waiting for the kernel's defaults (client-node #596, #958).
      keepAlive: true,
      keepAliveInitialDelay: 30_000,
    },
  });
}

/** {@link KubeTransport.request}: one JSON request under its timeout, recorded when it ends. */
async function sendRequest<T>(c: Connection, path: string, opts: KubeRequestOptions): Promise<T> {
  const method = opts.method ?? 'GET';
  const started = performance.now();
  const what = `${method} ${path}`;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? c.defaultTimeout);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let status = 0;
  try {
    const res = await request(`${c.server}${path}${toQuery(opts.query)}`, {
      dispatcher: c.agent,
      method: method as 'GET',
      signal,
      headers: {
        ...(await c.authHeaders(opts.bearerToken)),
        accept: 'application/json',
        'user-agent': c.userAgent,
        ...(opts.body === undefined ? {} : { 'content-type': opts.contentType ?? 'application/json' }),
      },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    });
    status = res.statusCode;
    const parsed = parseBody(await res.body.text());
    if (status >= 300) {
      throw kubeApiErrorFromStatus(status, what, parsed, headerValue(res.headers['retry-after']));
    }
    return parsed as T;
  } catch (error) {
    throw mapTransportError(error, what, opts.signal, timeout);
  } finally {
    c.emit({ verb: opts.verb, method, path, status, durationMs: performance.now() - started });
  }
}

/** {@link KubeTransport.stream}: a watch's lines as JSON, aborted when no byte arrives for `idleTimeoutMs`. */
async function* streamLines(
  c: Connection,
  path: string,
  opts: Parameters<KubeTransport['stream']>[1],
): AsyncGenerator<unknown> {
  const what = `watch ${path}`;
  const started = performance.now();
  let status = 0;
  const local = new AbortController();
  const signal = AbortSignal.any([opts.signal, local.signal]);
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () =>
        local.abort(
          new KubeApiError('TIMEOUT', `${what}: no data for ${opts.idleTimeoutMs} ms`, { retryable: true }),
        ),
      opts.idleTimeoutMs,
    );
  };
  try {
    arm();
    const res = await request(`${c.server}${path}${toQuery(opts.query)}`, {
      dispatcher: c.agent,
      method: 'GET',
      signal,
      headersTimeout: opts.idleTimeoutMs,
      bodyTimeout: 0,
      headers: { ...(await c.authHeaders()), accept: 'application/json', 'user-agent': c.userAgent },
    });
    status = res.statusCode;
    if (status >= 300) throw kubeApiErrorFromStatus(status, what, parseBody(await res.body.text()));
    let buffered = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      arm();
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) yield JSON.parse(line) as unknown;
        newline = buffered.indexOf('\n');
      }
    }
  } catch (error) {
    if (local.signal.aborted && !opts.signal.aborted) throw local.signal.reason;
    throw mapTransportError(error, what, opts.signal, undefined);
  } finally {
    clearTimeout(idle);
    local.abort();
    c.emit({ verb: 'watch', method: 'GET', path, status, durationMs: performance.now() - started });
  }
}

function mapTransportError(
  error: unknown,
  what: string,
  caller: AbortSignal | undefined,
  timeout: AbortSignal | undefined,
): unknown {
  if (isKubeApiError(error)) return error;
  if (caller?.aborted) return new KubeApiError('ABORTED', `${what}: aborted`, { cause: error });
  if (timeout?.aborted || (isAbortError(error) && !caller?.aborted)) {
    return new KubeApiError('TIMEOUT', `${what}: no answer in time`, { retryable: true, cause: error });
  }
  if (error instanceof SyntaxError) {
    return new KubeApiError('SERVER_ERROR', `${what}: the apiserver sent malformed JSON`, {
      retryable: true,
      cause: error,
    });
  }
  return new KubeApiError('NETWORK', `${what}: the apiserver could not be reached`, {
    retryable: true,
    cause: error,
  });
}

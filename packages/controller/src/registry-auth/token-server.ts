import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseGoDuration } from '@hub/api-types';
import { isHubError } from '@hub/api-types/errors';
import type { KubeTransport } from '@hub/datapack';
import { parseServingAddress } from '../runtime/http-endpoints.ts';
import type { RegistryAuthCache } from './authorize.ts';
import { clientAddressOf, parseTrustedProxies } from './client-address.ts';
import {
  createDownloadCounter,
  type DownloadCounter,
  type DownloadCountWriter,
  kubernetesDownloadCountWriter,
} from './download-counter.ts';
import { RegistryAuthError } from './errors.ts';
import { type KeyRing, openKeyRing, writeCertificateBundle } from './key-ring.ts';
import {
  createRegistryTokenHandler,
  type RegistryTokenEvent,
  type RegistryTokenHandlerOptions,
} from './token-handler.ts';
import {
  cachedAuthenticator,
  createTokenReviewAuthenticator,
  type TokenAuthenticator,
} from './token-review.ts';

/** Options of {@link startRegistryTokenServer}; the CLI flags map onto the first five. */
export interface RegistryTokenServerOptions {
  /** `--registry-token-bind-address`: `HOST:PORT`, `:PORT` (all interfaces) or `[::1]:PORT`; port 0 picks one. */
  bindAddress: string;
  /** `--registry-token-issuer`: `iss` of issued tokens. Default `hub-token`. */
  issuer?: string;
  /** `--registry-token-key-dir`: signing keys (`<name>.key` + `<name>.crt`); one in memory when omitted. */
  keyDir?: string;
  /** `--registry-token-cert-out`: where the registry's `auth.token.rootcertbundle` is written. */
  certOut?: string;
  /** `--registry-token-ttl`: a Go duration, 1s to 24h. Default `5m`. */
  ttl?: string;
  /** Accepted `service` values; any well-formed one when omitted. */
  services?: readonly string[];
  /** The process's Kubernetes transport (the manager's): TokenReviews and downloadCount writes go through it. */
  transport: KubeTransport;
  cache: RegistryAuthCache;
  /** How long TokenReview verdicts are reused. Default 10 s; 0 turns the cache off. */
  tokenReviewCacheTtlMs?: number;
  /** Audiences passed to TokenReview (tokens minted for the registry); the apiserver's when omitted. */
  tokenAudiences?: readonly string[];
  /** At most one downloadCount write per Repository per interval. Default 10 s. */
  downloadCountIntervalMs?: number;
  /** How long a rotated-in key is published before it signs. Default 10 minutes. */
  keyActivationDelayMs?: number;
  /** How often the published key set is re-checked and the bundle rewritten when it changed. Default 60 s. */
  bundleRefreshMs?: number;
  /**
   * Addresses and CIDRs of proxies (an Ingress) whose `X-Forwarded-For` is believed for the per-client limits;
   * without them every client behind one Ingress would share one address.
   */
  trustedProxies?: readonly string[];
  /** Serve HTTPS with this PEM certificate and key (credentials travel in the request). */
  tls?: { cert: string; key: string };
  rateLimits?: RegistryTokenHandlerOptions['rateLimits'];
  usernameCheck?: RegistryTokenHandlerOptions['usernameCheck'];
  userNamespace?: string;
  log?: (event: RegistryTokenEvent) => void;
  /** Replace the TokenReview client or the status writer (tests, other clusters). */
  authenticator?: TokenAuthenticator;
  downloadCountWriter?: DownloadCountWriter;
  now?: () => Date;
}

/** A running token server. */
export interface RegistryTokenServer extends AsyncDisposable {
  /** `http(s)://HOST:PORT` */
  readonly url: string;
  /** The registry's `auth.token.realm`: `<url>/token`. */
  readonly realm: string;
  readonly port: number;
  readonly keyRing: KeyRing;
  readonly downloadCounter: DownloadCounter;
  /** Adds a new key, drops expired ones and rewrites the certificate bundle. */
  rotateKeys(): Promise<void>;
  /** Rewrites the certificate bundle (published keys change over time during a rotation). */
  writeCertificateBundle(): Promise<void>;
  /** Stops accepting requests, flushes download counts. Idempotent. */
  stop(): Promise<void>;
}

/** Parses `--registry-token-ttl`: a Go duration between 1 s and 24 h, in whole seconds. */
export function parseTokenTtl(value: string): number {
  const parsed = parseGoDuration(value);
  if (!parsed.success || parsed.data < 1000 || parsed.data > 86_400_000) {
    throw new RegistryAuthError(
      'INVALID_OPTION',
      `--registry-token-ttl ${JSON.stringify(value)} must be a Go duration from 1s to 24h, e.g. 5m`,
    );
  }
  return Math.floor(parsed.data / 1000);
}

function bindAddressOf(value: string): { host: string; port: number } {
  let bind: { host: string; port: number } | undefined;
  try {
    bind = parseServingAddress(value);
  } catch (cause) {
    bind = undefined;
    if (!isHubError(cause)) throw cause;
  }
  if (!bind) {
    throw new RegistryAuthError(
      'INVALID_OPTION',
      `--registry-token-bind-address ${JSON.stringify(value)} must look like :5001 or HOST:PORT`,
    );
  }
  return bind;
}

function toRequest(req: IncomingMessage, scheme: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  // The Host header only builds the URL; nothing trusts it.
  return new Request(`${scheme}://localhost${req.url ?? '/'}`, { method: req.method ?? 'GET', headers });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Starts the registry token server on its own port: loads or generates the keys, writes the certificate
 * bundle, reviews passwords with the TokenReview API (cached briefly) and counts pulls into Repository status.
 * Serves `GET /token` and `GET /healthz`.
 */
export async function startRegistryTokenServer(
  options: RegistryTokenServerOptions,
): Promise<RegistryTokenServer> {
  const { host, port } = bindAddressOf(options.bindAddress);
  const trustedProxies = parseTrustedProxies(options.trustedProxies ?? []);
  const ttlSeconds = parseTokenTtl(options.ttl ?? '5m');
  const issuer = options.issuer ?? 'hub-token';
  const keyRing = await openServerKeyRing(options, issuer, ttlSeconds);
  let written = '';
  const writeBundle = async () => {
    const bundle = keyRing.certificateBundle();
    if (options.certOut && bundle !== written) await writeCertificateBundle(options.certOut, bundle);
    written = bundle;
  };
  await writeBundle();
  const log = options.log ?? (() => {});
  const refreshBundle = async () => {
    try {
      await keyRing.prune();
      await writeBundle();
    } catch (error) {
      log({ type: 'error', message: (error as Error).message, code: 'KEY_STORE_FAILED' });
    }
  };
  // During a rotation the published set shrinks once the old key's tokens have expired.
  const bundleTimer = setInterval(() => void refreshBundle(), options.bundleRefreshMs ?? 60_000);
  bundleTimer.unref();
  const downloadCounter = serverDownloadCounter(options, log);
  const handler = createRegistryTokenHandler({
    keyRing,
    authenticator: serverAuthenticator(options),
    cache: options.cache,
    issuer,
    ttlSeconds,
    downloadCounter,
    log,
    ...(options.services ? { services: options.services } : {}),
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ...(options.usernameCheck ? { usernameCheck: options.usernameCheck } : {}),
    ...(options.userNamespace ? { userNamespace: options.userNamespace } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const scheme = options.tls ? 'https' : 'http';
  const listener = tokenServerListener(handler, trustedProxies, scheme);
  const server: Server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(new RegistryAuthError('INVALID_OPTION', `cannot listen on ${options.bindAddress}`, { cause })),
      );
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    clearInterval(bundleTimer);
    await downloadCounter.stop();
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `${scheme}://${urlHost}:${bound}`;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(bundleTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await downloadCounter.stop();
    })();
    return stopping;
  };
  return {
    url,
    realm: `${url}/token`,
    port: bound,
    keyRing,
    downloadCounter,
    async rotateKeys() {
      await keyRing.rotate();
      await keyRing.prune();
      await writeBundle();
    },
    writeCertificateBundle: async () => {
      await keyRing.prune();
      await writeBundle();
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** The signing keys: loaded from (or generated into) `keyDir`, activated after the configured delay. */
function openServerKeyRing(options: RegistryTokenServerOptions, issuer: string, ttlSeconds: number) {
  return openKeyRing({
    ...(options.keyDir ? { dir: options.keyDir } : {}),
    issuer,
    tokenTtlMs: ttlSeconds * 1000,
    ...(options.keyActivationDelayMs !== undefined
      ? { activationDelayMs: options.keyActivationDelayMs }
      : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** Counts pulls into Repository status in batches; write failures are logged, never thrown. */
function serverDownloadCounter(
  options: RegistryTokenServerOptions,
  log: NonNullable<RegistryTokenServerOptions['log']>,
) {
  return createDownloadCounter({
    write: options.downloadCountWriter ?? kubernetesDownloadCountWriter(options.transport),
    ...(options.downloadCountIntervalMs !== undefined ? { intervalMs: options.downloadCountIntervalMs } : {}),
    onError: (_name, error) => {
      const code = (error as { code?: unknown }).code;
      log({
        type: 'error',
        message: (error as Error).message,
        code: typeof code === 'string' ? code : 'INTERNAL',
      });
    },
  });
}

/** Passwords reviewed with the TokenReview API (or the given authenticator), each answer cached briefly. */
function serverAuthenticator(options: RegistryTokenServerOptions) {
  return cachedAuthenticator(
    options.authenticator ??
      createTokenReviewAuthenticator({
        transport: options.transport,
        ...(options.tokenAudiences ? { audiences: options.tokenAudiences } : {}),
      }),
    { ttlMs: options.tokenReviewCacheTtlMs ?? 10_000 },
  );
}

/** `GET /token` (the client address read through trusted proxies only), `GET /healthz`, and 404 otherwise. */
function tokenServerListener(
  handler: ReturnType<typeof createRegistryTokenHandler>,
  trustedProxies: ReturnType<typeof parseTrustedProxies>,
  scheme: 'http' | 'https',
) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/token') {
        const forwarded = req.headers['x-forwarded-for'];
        const clientAddress = clientAddressOf(
          req.socket.remoteAddress,
          Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
          trustedProxies,
        );
        await send(res, await handler(toRequest(req, scheme), { clientAddress }));
      } else if (path === '/healthz' && req.method === 'GET') {
        await send(res, new Response('ok\n'));
      } else {
        await send(
          res,
          Response.json(
            { errors: [{ code: 'NOT_FOUND', message: 'the token endpoint is /token' }] },
            { status: 404 },
          ),
        );
      }
    } catch {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    }
  };
}

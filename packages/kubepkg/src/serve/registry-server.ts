import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { RegistryClient, type RegistryClientOptions } from '@hub/image-save/registry';
import { isValidRepositoryName, isValidTag, RegistryStorage } from '@hub/image-save/storage';
import type { KubeConfig } from '@kubernetes/client-node';
import { RepositoryOrigins } from '../origins/repository-origins.ts';
import { handleImport } from './import-endpoint.ts';
import { UpstreamFailure } from './pull-through.ts';
import { listReferrers } from './referrers.ts';
import { API_HEADERS, sendError, sendJson, sendText } from './responses.ts';
import { serveBlob } from './serve-blob.ts';
import { type ContentRequest, lookup, type ServeContext } from './serve-context.ts';
import { serveManifest } from './serve-manifest.ts';

/** Options for {@link createRegistryServer}. */
export interface RegistryServerOptions {
  /** Storage directory (contains `docker/registry/v2/`). */
  dir: string;
  /** Bearer token for `POST /api/kubepkg/import`; the endpoint is disabled without one. */
  importToken?: string;
  /** Largest accepted import upload in bytes (default 64 GiB). */
  maxImportBytes?: number;
  /** For `?apply=true` on the import endpoint: the cluster whose KubePkg objects the agent creates or updates. */
  kubeConfig?: KubeConfig;
  /** Namespace of those KubePkg objects unless `?namespace=` names one (default: the kubeconfig context's). */
  namespace?: string;
  /**
   * @deprecated No effect since `?apply=true` hands packages to the KubePkg controller, which rewrites images
   * itself (`hub-controller --kubepkg-registry`).
   */
  applyRegistryRewrite?: string;
  /** Pull-through cache: fetch missing manifests/blobs from this registry host and store them. */
  upstream?: { registry: string; client?: RegistryClient | RegistryClientOptions };
  /**
   * Bearer token a request must carry to make the agent fetch from `upstream`; without it such a request
   * is answered 401 (content already stored is served to anyone, as without this option).
   */
  pullThroughToken?: string;
  /** Serve HTTPS with this PEM certificate (chain) and key: the whole server, registry API and import endpoint. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Per-request inactivity timeout in ms (default 60 s; imports are exempt while data flows). */
  requestTimeoutMs?: number;
  /** Called on every request error that is not a client mistake. */
  onError?: (error: unknown) => void;
}

/** A running pull-only registry. */
export interface RegistryServer {
  /** An `https` server when `tls` was given. */
  server: Server | HttpsServer;
  /** Starts listening; `addr` is `host:port` (port 0 picks a free one). Returns the bound `host:port`. */
  listen(addr?: string): Promise<string>;
  close(): Promise<void>;
}

const MAX_PAGE = 1000;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/**
 * A pull-only OCI distribution registry over a storage directory: GET/HEAD manifests and blobs (with
 * Range), tags/list and _catalog with `n`/`last` pagination and `Link`, Accept negotiation like
 * distribution v2.8.3, the containerd mirror form `?ns=<host>` (see {@link RepositoryOrigins}), pushes answered 405 UNSUPPORTED,
 * `/healthz`, `/readyz`, an optional authenticated import endpoint and an optional pull-through cache.
 * Repository names and references are validated against distribution's grammar before touching disk,
 * so `..` and encoded slashes never reach the filesystem.
 */
export function createRegistryServer(options: RegistryServerOptions): RegistryServer {
  const context: ServeContext = {
    options,
    storage: new RegistryStorage(options.dir),
    origins: new RepositoryOrigins(options.dir),
    upstreamClient: upstreamClientOf(options),
  };
  const server = createBoundedServer(options, (req, res) => {
    route(context, req, res).catch((error: unknown) => answerFailure(context, res, error));
  });
  return {
    server,
    listen: (addr = '127.0.0.1:5000') => listen(server, addr),
    close: () => close(context, server),
  };
}

/** The pull-through client: the caller's own (which it closes), or one made from its options (closed here). */
function upstreamClientOf(options: RegistryServerOptions): RegistryClient | undefined {
  if (!options.upstream) return undefined;
  const { client } = options.upstream;
  return client instanceof RegistryClient ? client : new RegistryClient(client ?? {});
}

/** An HTTP(S) server whose header, inactivity and header-count limits bound idle or abusive clients. */
function createBoundedServer(
  options: RegistryServerOptions,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Server | HttpsServer {
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : createServer(listener);
  server.requestTimeout = 0; // imports can be long; the inactivity timeout below bounds idle clients
  server.headersTimeout = 10_000;
  server.timeout = options.requestTimeoutMs ?? 60_000;
  server.maxHeadersCount = 100;
  return server;
}

/** A handler that threw: reported to `onError`, then a 5xx (or the upstream's failure) if nothing was sent. */
function answerFailure(context: ServeContext, res: ServerResponse, error: unknown): void {
  context.options.onError?.(error);
  if (res.headersSent) res.destroy();
  else if (error instanceof UpstreamFailure) sendError(res, error.status, error.code, error.message);
  else sendError(res, 500, 'UNKNOWN', 'internal error');
}

/** Probes, the import endpoint, then the pull-only registry API. */
async function route(context: ServeContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://registry.invalid');
  const path = url.pathname;
  if (path === '/healthz') return sendText(res, 200, 'ok');
  if (path === '/readyz') return sendText(res, (await isReady(context)) ? 200 : 503, 'ready');
  if (path === '/api/kubepkg/import') return handleImport(context, req, res, url);
  if (!path.startsWith('/v2/') && path !== '/v2') return sendError(res, 404, 'NOT_FOUND', 'not found');
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return sendError(res, 405, 'UNSUPPORTED', 'this registry is pull-only; import a kubepkg archive instead');
  const headOnly = req.method === 'HEAD';
  if (path === '/v2/' || path === '/v2') return sendJson(res, 200, {}, headOnly);
  if (path === '/v2/_catalog') return serveCatalog(context, res, url, headOnly);
  return routeRepository(context, req, res, url);
}

/** Ready when the storage directory can be listed. */
function isReady(context: ServeContext): Promise<boolean> {
  return context.storage.listRepositories().then(
    () => true,
    () => false,
  );
}

/** `/v2/<name>/(manifests|blobs|tags|referrers)/<reference>`, the name and reference checked first. */
async function routeRepository(
  context: ServeContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  // Match on the raw (still percent-encoded) path: an encoded "/" or "." can never form a name.
  const match = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\/([^/]+)$/.exec(url.pathname);
  if (!match) return sendError(res, 404, 'NOT_FOUND', 'not found');
  const [, raw, what, reference] = match as unknown as [string, string, string, string];
  if (!isValidRepositoryName(raw)) return sendError(res, 404, 'NAME_INVALID', 'invalid repository name');
  const request: ContentRequest = {
    req,
    res,
    raw,
    ...(await lookup(context, raw, url.searchParams.get('ns'))),
  };
  if (what === 'tags') {
    if (reference !== 'list') return sendError(res, 404, 'NOT_FOUND', 'not found');
    return serveTags(context, request, url);
  }
  const isDigest = DIGEST.test(reference);
  if (what === 'referrers') {
    // Never 404 (distribution-spec 1.1): an unknown subject has no referrers.
    if (!isDigest) return sendError(res, 400, 'DIGEST_INVALID', 'invalid digest');
    return serveReferrers(context, request, reference, url.searchParams.get('artifactType') ?? undefined);
  }
  if (what === 'blobs') {
    if (!isDigest) return sendError(res, 400, 'DIGEST_INVALID', 'invalid digest');
    return serveBlob(context, request, reference);
  }
  // A reference that is no tag can name no manifest: 404 MANIFEST_UNKNOWN, as the conformance suite expects.
  if (!isDigest && !isValidTag(reference)) return sendError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
  return serveManifest(context, request, reference, isDigest);
}

/** `/v2/_catalog`, paginated with `n`/`last` and a `Link` to the next page. */
async function serveCatalog(context: ServeContext, res: ServerResponse, url: URL, headOnly: boolean) {
  const page = paginate(await context.storage.listRepositories(), url);
  if (page.next)
    res.setHeader('link', `</v2/_catalog?n=${page.n}&last=${encodeURIComponent(page.next)}>; rel="next"`);
  sendJson(res, 200, { repositories: page.items }, headOnly);
}

/** `/v2/<name>/tags/list` of the first of the request's names that has tags. */
async function serveTags(
  context: ServeContext,
  { req, res, names }: ContentRequest,
  url: URL,
): Promise<void> {
  for (const name of names) {
    const tags = await context.storage.listTags(name).catch(() => undefined);
    if (!tags || tags.length === 0) continue;
    const page = paginate(tags, url);
    if (page.next)
      res.setHeader(
        'link',
        `</v2/${name}/tags/list?n=${page.n}&last=${encodeURIComponent(page.next)}>; rel="next"`,
      );
    return sendJson(res, 200, { name, tags: page.items }, req.method === 'HEAD');
  }
  sendError(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
}

/** `/v2/<name>/referrers/<digest>`: an OCI index of the manifests whose `subject` is the digest. */
async function serveReferrers(
  context: ServeContext,
  { req, res, names }: ContentRequest,
  digest: string,
  artifactType: string | undefined,
): Promise<void> {
  const manifests = [];
  for (const name of names)
    manifests.push(
      ...(await listReferrers(context.storage, context.options.dir, name, digest, artifactType)),
    );
  if (artifactType !== undefined) res.setHeader('oci-filters-applied', 'artifactType');
  const body = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests };
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(200, {
    ...API_HEADERS,
    'content-type': 'application/vnd.oci.image.index.v1+json',
    'content-length': bytes.length,
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function paginate(all: string[], url: URL): { items: string[]; next?: string; n: number } {
  const n = Math.min(Math.max(Number(url.searchParams.get('n') ?? MAX_PAGE) || MAX_PAGE, 0), MAX_PAGE);
  const last = url.searchParams.get('last');
  const start = last ? all.findIndex((item) => item > last) : 0;
  const rest = start === -1 ? [] : all.slice(start);
  const items = rest.slice(0, n);
  const tail = items[items.length - 1];
  return rest.length > n && tail !== undefined ? { items, next: tail, n } : { items, n };
}

/** Listens on `host:port` (port 0 picks a free one); resolves to the bound `host:port`. */
function listen(server: Server | HttpsServer, addr: string): Promise<string> {
  const colon = addr.lastIndexOf(':');
  const host = addr.slice(0, colon).replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(addr.slice(colon + 1));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const bound = server.address() as AddressInfo;
      resolve(`${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`);
    });
  });
}

/** Stops listening, drops open connections, and closes the upstream client this server made. */
async function close(context: ServeContext, server: Server | HttpsServer): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  if (context.upstreamClient && !(context.options.upstream?.client instanceof RegistryClient))
    await context.upstreamClient.close();
}

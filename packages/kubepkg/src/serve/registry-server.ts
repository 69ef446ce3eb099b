import { timingSafeEqual } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { keptHostRepository } from '@hub/image-save';
import { parseManifest, RegistryClient, type RegistryClientOptions } from '@hub/image-save/registry';
import { isValidRepositoryName, isValidTag, RegistryStorage } from '@hub/image-save/storage';
import type { KubeConfig } from '@kubernetes/client-node';
import { applyKubePkg } from '../apply/apply-kubepkg.ts';
import { isKubePkgError } from '../errors.ts';
import { importKubePkg } from '../import/import-kubepkg.ts';
import { originHost, RepositoryOrigins } from '../origins/repository-origins.ts';
import { kubePkgsOf } from '../spec/safe-parse.ts';
import { acceptedTypes, manifestMediaType, negotiate } from './accept.ts';
import { listReferrers } from './referrers.ts';

/** Options for {@link createRegistryServer}. */
export interface RegistryServerOptions {
  /** Storage directory (contains `docker/registry/v2/`). */
  dir: string;
  /** Bearer token for `POST /api/kubepkg/import`; the endpoint is disabled without one. */
  importToken?: string;
  /** Largest accepted import upload in bytes (default 64 GiB). */
  maxImportBytes?: number;
  /** For `?apply=true` on the import endpoint: the cluster to apply to. */
  kubeConfig?: KubeConfig;
  /** Registry (`host[:port]`) that applied pods pull from; images are rewritten to it on apply. */
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

const API_HEADERS = { 'docker-distribution-api-version': 'registry/2.0' };
const MAX_PAGE = 1000;

/**
 * A pull-only OCI distribution registry over a storage directory: GET/HEAD manifests and blobs (with
 * Range), tags/list and _catalog with `n`/`last` pagination and `Link`, Accept negotiation like
 * distribution v2.8.3, the containerd mirror form `?ns=<host>` (see {@link RepositoryOrigins}), pushes answered 405 UNSUPPORTED,
 * `/healthz`, `/readyz`, an optional authenticated import endpoint and an optional pull-through cache.
 * Repository names and references are validated against distribution's grammar before touching disk,
 * so `..` and encoded slashes never reach the filesystem.
 */
export function createRegistryServer(options: RegistryServerOptions): RegistryServer {
  const storage = new RegistryStorage(options.dir);
  const origins = new RepositoryOrigins(options.dir);
  const upstreamClient = options.upstream
    ? options.upstream.client instanceof RegistryClient
      ? options.upstream.client
      : new RegistryClient(options.upstream.client ?? {})
    : undefined;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      options.onError?.(error);
      if (res.headersSent) return void res.destroy();
      if (error instanceof UpstreamFailure) return sendError(res, error.status, error.code, error.message);
      sendError(res, 500, 'UNKNOWN', 'internal error');
    });
  };
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : createServer(listener);
  server.requestTimeout = 0; // imports can be long; the inactivity timeout below bounds idle clients
  server.headersTimeout = 10_000;
  server.timeout = options.requestTimeoutMs ?? 60_000;
  server.maxHeadersCount = 100;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    const path = url.pathname;
    if (path === '/healthz') return sendText(res, 200, 'ok');
    if (path === '/readyz')
      return sendText(
        res,
        (await storage.listRepositories().then(
          () => true,
          () => false,
        ))
          ? 200
          : 503,
        'ready',
      );
    if (path === '/api/kubepkg/import') return handleImport(req, res, url);
    if (!path.startsWith('/v2/') && path !== '/v2') return sendError(res, 404, 'NOT_FOUND', 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(
        res,
        405,
        'UNSUPPORTED',
        'this registry is pull-only; import a kubepkg archive instead',
      );
    }
    if (path === '/v2/' || path === '/v2') return sendJson(res, 200, {}, req.method === 'HEAD');
    if (path === '/v2/_catalog') {
      const page = paginate(await storage.listRepositories(), url);
      if (page.next)
        res.setHeader('link', `</v2/_catalog?n=${page.n}&last=${encodeURIComponent(page.next)}>; rel="next"`);
      return sendJson(res, 200, { repositories: page.items }, req.method === 'HEAD');
    }
    // Match on the raw (still percent-encoded) path: an encoded "/" or "." can never form a name.
    const match = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\/([^/]+)$/.exec(path);
    if (!match) return sendError(res, 404, 'NOT_FOUND', 'not found');
    const [, rawName, what, reference] = match as unknown as [string, string, string, string];
    if (!isValidRepositoryName(rawName))
      return sendError(res, 404, 'NAME_INVALID', 'invalid repository name');
    const { names, pull } = await lookup(rawName, url.searchParams.get('ns'));
    if (what === 'tags') {
      if (reference !== 'list') return sendError(res, 404, 'NOT_FOUND', 'not found');
      for (const name of names) {
        const tags = await storage.listTags(name).catch(() => undefined);
        if (!tags || tags.length === 0) continue;
        const page = paginate(tags, url);
        if (page.next)
          res.setHeader(
            'link',
            `</v2/${name}/tags/list?n=${page.n}&last=${encodeURIComponent(page.next)}>; rel="next"`,
          );
        return sendJson(res, 200, { name, tags: page.items }, req.method === 'HEAD');
      }
      return sendError(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    }
    const isDigest = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/.test(reference);
    if (what === 'referrers') {
      // Never 404 (distribution-spec 1.1): an unknown subject has no referrers.
      if (!isDigest) return sendError(res, 400, 'DIGEST_INVALID', 'invalid digest');
      const artifactType = url.searchParams.get('artifactType') ?? undefined;
      const manifests = [];
      for (const name of names)
        manifests.push(...(await listReferrers(storage, options.dir, name, reference, artifactType)));
      if (artifactType !== undefined) res.setHeader('oci-filters-applied', 'artifactType');
      const body = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests };
      const bytes = Buffer.from(JSON.stringify(body));
      res.writeHead(200, {
        ...API_HEADERS,
        'content-type': 'application/vnd.oci.image.index.v1+json',
        'content-length': bytes.length,
      });
      return void res.end(req.method === 'HEAD' ? undefined : bytes);
    }
    if (what === 'blobs') {
      if (!isDigest) return sendError(res, 400, 'DIGEST_INVALID', 'invalid digest');
      return serveBlob(req, res, rawName, names, pull, reference);
    }
    // A reference that is no tag can name no manifest: 404 MANIFEST_UNKNOWN, as the conformance suite expects.
    if (!isDigest && !isValidTag(reference))
      return sendError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    return serveManifest(req, res, rawName, names, pull, reference, isDigest);
  }

  /**
   * Where to look for `raw`, and whether a miss may be pulled through. Without `?ns=` (a client of this
   * registry itself): `raw`, and with an upstream also its kept-host name (where a pull-through that could
   * not use `raw` stored it). With `?ns=<host>` (a containerd mirror request): the kept-host name of
   * `<host>`, then `raw` only when its content is recorded as coming from `<host>`, and a pull-through only
   * when `<host>` is the upstream, so a mirror for one registry never serves another registry's content.
   */
  async function lookup(raw: string, ns: string | null): Promise<{ names: string[]; pull: boolean }> {
    const upstream = options.upstream?.registry;
    if (ns === null) {
      const names = [raw];
      if (upstream) names.push(keptHostRepository(upstream, raw));
      return { names: names.filter(isValidRepositoryName), pull: upstream !== undefined };
    }
    const host = originHost(ns);
    if (!host) return { names: [], pull: false };
    const names = [`${host}/${raw}`];
    if (await origins.has(raw, ns)) names.push(raw);
    const pull = upstream !== undefined && originHost(upstream) === originHost(ns);
    return { names: names.filter(isValidRepositoryName), pull };
  }

  /**
   * The stored name a pull-through of `raw` writes to: `raw` itself (recording the upstream as its origin)
   * when it is new or came only from the upstream; otherwise the upstream's kept-host name, so tags of two
   * registries never mix in one repository.
   */
  async function pullTarget(raw: string, upstream: string): Promise<{ name: string; record: boolean }> {
    const recorded = await origins.hosts(raw);
    const onlyUpstream = recorded.length > 0 && recorded.every((h) => originHost(h) === originHost(upstream));
    if (onlyUpstream || !(await repositoryExists(raw))) return { name: raw, record: true };
    return { name: keptHostRepository(upstream, raw), record: false };
  }

  /** Whether anything is stored under `name` (links or tags), recorded or not. */
  async function repositoryExists(name: string): Promise<boolean> {
    const dir = storage.layout.repository(name);
    const isDir = (path: string) =>
      stat(path).then(
        (s) => s.isDirectory(),
        () => false,
      );
    return (await isDir(join(dir, '_manifests'))) || (await isDir(join(dir, '_layers')));
  }

  /** Whether `req` may make the agent fetch from the upstream (the pull-through token, when one is set). */
  function mayPullThrough(req: IncomingMessage): boolean {
    return !options.pullThroughToken || bearerMatches(req.headers.authorization, options.pullThroughToken);
  }

  async function findManifest(
    req: IncomingMessage,
    raw: string,
    names: string[],
    pull: boolean,
    reference: string,
    isDigest: boolean,
  ): Promise<{ name: string; digest: string } | 'unauthorized' | undefined> {
    for (const name of names) {
      const digest = isDigest ? reference : await storage.resolveTag(name, reference).catch(() => undefined);
      if (digest && (await storage.hasManifestLink(name, digest)) && (await storage.hasBlob(digest)))
        return { name, digest };
    }
    if (pull && upstreamClient && options.upstream) {
      if (!mayPullThrough(req)) return 'unauthorized';
      const upstream = options.upstream.registry;
      const fetched = await upstreamClient
        .getManifest({ registry: upstream, repository: raw }, reference)
        .catch(upstreamMiss(upstream));
      if (fetched) {
        const target = await pullTarget(raw, upstream);
        await storage.writeBlobBytes(fetched.digest, fetched.bytes);
        await storage.linkManifest(target.name, fetched.digest);
        if (!isDigest) await storage.tag(target.name, reference, fetched.digest);
        if (target.record) await origins.add(target.name, [upstream]);
        return { name: target.name, digest: fetched.digest };
      }
    }
    return undefined;
  }

  async function serveManifest(
    req: IncomingMessage,
    res: ServerResponse,
    raw: string,
    names: string[],
    pull: boolean,
    reference: string,
    isDigest: boolean,
  ) {
    const found = await findManifest(req, raw, names, pull, reference, isDigest);
    if (found === 'unauthorized') return sendPullThroughChallenge(res);
    if (!found) return sendError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    let digest = found.digest;
    let bytes = await storage.readBlobBytes(digest);
    let mediaType = manifestMediaType(bytes);
    const decision = negotiate(mediaType, acceptedTypes(req.headers.accept), !isDigest);
    if ('amd64Child' in decision) {
      const parsed = parseManifest(bytes, mediaType);
      const child =
        parsed.kind === 'index'
          ? parsed.manifests.find((d) => d.platform?.os === 'linux' && d.platform.architecture === 'amd64')
          : undefined;
      if (
        !child ||
        !(await storage.hasManifestLink(found.name, child.digest)) ||
        !(await storage.hasBlob(child.digest))
      ) {
        return sendError(
          res,
          404,
          'MANIFEST_UNKNOWN',
          'no linux/amd64 manifest for a client that does not accept lists',
        );
      }
      digest = child.digest;
      bytes = await storage.readBlobBytes(digest);
      mediaType = manifestMediaType(bytes);
    } else if (!decision.serve) {
      return sendError(res, 404, 'MANIFEST_UNKNOWN', decision.reason);
    }
    res.writeHead(200, {
      ...API_HEADERS,
      'content-type': mediaType,
      'content-length': bytes.byteLength,
      'docker-content-digest': digest,
      etag: `"${digest}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  async function serveBlob(
    req: IncomingMessage,
    res: ServerResponse,
    raw: string,
    names: string[],
    pull: boolean,
    digest: string,
  ) {
    let linked = false;
    for (const name of names) if (await storage.hasLayerLink(name, digest)) linked = true;
    if ((!linked || !(await storage.hasBlob(digest))) && pull && upstreamClient && options.upstream) {
      if (!mayPullThrough(req)) return sendPullThroughChallenge(res);
      const upstream = options.upstream.registry;
      const blob = await upstreamClient
        .getBlob({ registry: upstream, repository: raw }, digest)
        .catch(upstreamMiss(upstream));
      if (blob) {
        const target = await pullTarget(raw, upstream);
        await storage.writeBlob(digest, blob.body, blob.length !== undefined ? { size: blob.length } : {});
        await storage.linkLayer(target.name, digest);
        if (target.record) await origins.add(target.name, [upstream]);
        linked = true;
      }
    }
    const size = linked ? await storage.blobSize(digest) : undefined;
    if (size === undefined) return sendError(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
    const headers = {
      ...API_HEADERS,
      'content-type': 'application/octet-stream',
      'docker-content-digest': digest,
      etag: `"${digest}"`,
      'accept-ranges': 'bytes',
    };
    const range = parseRange(req.headers.range, size);
    if (range === 'invalid') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` });
      return void res.end();
    }
    if (range) {
      res.writeHead(206, {
        ...headers,
        'content-length': range.end - range.start + 1,
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
      });
    } else {
      res.writeHead(200, { ...headers, 'content-length': size });
    }
    if (req.method === 'HEAD' || size === 0) return void res.end();
    const stream = await storage.openBlob(digest, range ?? undefined);
    await pipeline(stream, res).catch(() => res.destroy());
  }

  async function handleImport(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (!options.importToken) return sendError(res, 404, 'NOT_FOUND', 'the import endpoint is disabled');
    if (req.method !== 'POST' && req.method !== 'PUT') return sendError(res, 405, 'UNSUPPORTED', 'use POST');
    if (!bearerMatches(req.headers.authorization, options.importToken)) {
      res.setHeader('www-authenticate', 'Bearer realm="kubepkg-import"');
      return sendError(res, 401, 'UNAUTHORIZED', 'a valid bearer token is required');
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const max = options.maxImportBytes ?? 64 * 1024 ** 3;
    if (declared > max) return sendError(res, 413, 'SIZE_INVALID', `uploads are limited to ${max} bytes`);
    let received = 0;
    async function* limited(): AsyncIterable<Uint8Array> {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > max) throw Object.assign(new Error('upload too large'), { tooLarge: true });
        yield chunk;
      }
    }
    const apply = url.searchParams.get('apply') === 'true';
    // Refuse before reading a byte: an import that cannot be applied must not write anything.
    if (apply && !options.kubeConfig)
      return sendError(res, 400, 'UNSUPPORTED', 'this agent has no cluster access configured (?apply=true)');
    try {
      const result = await importKubePkg(limited(), { dir: options.dir });
      const applied: unknown[] = [];
      if (apply && options.kubeConfig) {
        for (const pkg of kubePkgsOf(result.document)) {
          const { status } = await applyKubePkg(pkg, {
            kubeConfig: options.kubeConfig,
            prune: true,
            ...(options.applyRegistryRewrite ? { registryRewrite: options.applyRegistryRewrite } : {}),
          });
          applied.push({ name: pkg.metadata.name, version: pkg.spec.version, resources: status.resources });
        }
      }
      return sendJson(res, 200, {
        imported: result.blobs,
        written: result.written,
        tags: result.tags,
        applied,
      });
    } catch (error) {
      if ((error as { tooLarge?: boolean }).tooLarge)
        return sendError(res, 413, 'SIZE_INVALID', `uploads are limited to ${max} bytes`);
      if (isKubePkgError(error))
        return sendJson(res, 400, { errors: [{ code: error.code, message: error.message }] });
      throw error;
    }
  }

  return {
    server,
    listen(addr = '127.0.0.1:5000') {
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
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (upstreamClient && !(options.upstream?.client instanceof RegistryClient))
        await upstreamClient.close();
    },
  };
}

/** A pull-through upstream failed in a way that is not "not found": reported as such, never as a 404. */
class UpstreamFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string, cause: unknown) {
    super(message, { cause });
    this.status = status;
    this.code = code;
  }
}

/** For `.catch` on upstream calls: a 404 is a miss (undefined); auth, 429, 5xx and network failures throw. */
function upstreamMiss(registry: string) {
  return (error: unknown): undefined => {
    const status = (error as { status?: unknown }).status;
    if (status === 404) return undefined;
    if (status === 401 || status === 403)
      throw new UpstreamFailure(
        502,
        'DENIED',
        `upstream ${registry} refused our credentials (HTTP ${status})`,
        error,
      );
    if (status === 429)
      throw new UpstreamFailure(
        503,
        'TOOMANYREQUESTS',
        `upstream ${registry} is rate-limiting (HTTP 429)`,
        error,
      );
    const why = typeof status === 'number' ? `HTTP ${status}` : 'unreachable or the connection failed';
    throw new UpstreamFailure(502, 'UNAVAILABLE', `upstream ${registry} failed (${why})`, error);
  };
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

function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return 'invalid';
  const [, from, to] = match as unknown as [string, string, string];
  if (from === '' && to === '') return 'invalid';
  let start: number;
  let end: number;
  if (from === '') {
    start = Math.max(size - Number(to), 0);
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** 401 for a request that would fetch from the upstream without the pull-through token. */
function sendPullThroughChallenge(res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Bearer realm="kubepkg-pull-through"');
  sendError(res, 401, 'UNAUTHORIZED', 'a valid bearer token is required to fetch from the upstream');
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    ...API_HEADERS,
    'content-type': 'application/json',
    'content-length': bytes.length,
  });
  res.end(headOnly ? undefined : bytes);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ code, message }] });
}

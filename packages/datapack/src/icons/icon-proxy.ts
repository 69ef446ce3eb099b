import { lookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { DataPackError } from '../errors.ts';
import { isPublicAddress } from './public-address.ts';

/** Options of the icon proxy (`createHubHandler({ icons })`, `GET /icons?url=`). */
export interface IconProxyOptions {
  /**
   * Hosts (`name` or `name:port`) that may be fetched over plain http and may resolve to loopback
   * or private addresses: tests' local servers, an in-cluster icon store. Everything else must be
   * https on a public address.
   */
  allowHosts?: readonly string[] | undefined;
  /** Largest icon (default 256 KiB); anything larger is refused. */
  maxBytes?: number | undefined;
  /** Whole fetch, connect to last byte (default 5 s). */
  timeoutMs?: number | undefined;
  /** Icons kept in memory (default 512) and for how long (default 1 h; failures 1 min). */
  cacheEntries?: number | undefined;
  cacheTtlMs?: number | undefined;
}

/** Serves `GET …/icons?url=<icon URL>`. */
export type IconProxy = (request: Request) => Promise<Response>;

// Raster formats browsers show in <img>, and SVG (served so that no script in it runs).
const IMAGE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/svg+xml',
  'image/x-icon',
  'image/vnd.microsoft.icon',
]);

// Whatever the icon holds, a browser opening it directly runs nothing and loads nothing.
const ICON_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  'x-content-type-options': 'nosniff',
  'content-disposition': 'inline; filename="icon"',
  'cache-control': 'public, max-age=86400',
};

type Fetched = { ok: true; type: string; body: Uint8Array<ArrayBuffer> } | { ok: false };

function unavailable(): DataPackError {
  // One answer for every failure: the page shows its placeholder, and nothing about the upstream leaks.
  return new DataPackError('NOT_FOUND', 'the icon could not be fetched; a placeholder is shown instead.', {
    field: 'url',
  });
}

function refusedAddress(): NodeJS.ErrnoException {
  return Object.assign(new Error('the icon host is not a public address'), { code: 'ENOTPUBLIC' });
}

/** Creates the proxy; its connections are checked at connect time, so DNS answers cannot be swapped after the check. */
export function createIconProxy(options: IconProxyOptions = {}): IconProxy {
  const allow = new Set(options.allowHosts ?? []);
  const allowed = (url: URL) => allow.has(url.host) || allow.has(url.hostname);
  const maxBytes = options.maxBytes ?? 256 * 1024;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxEntries = options.cacheEntries ?? 512;
  const ttlMs = options.cacheTtlMs ?? 60 * 60 * 1000;
  const cache = new Map<string, { expires: number; result: Fetched }>();

  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    lookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const usable = allow.has(hostname) ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      const first = usable[0];
      if (first === undefined) return callback(refusedAddress(), '', 0);
      if ((lookupOptions as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: typeof usable) => void)(null, usable);
      } else {
        callback(null, first.address, first.family);
      }
    });
  };
  const agent = new Agent({ connect: { lookup: guardedLookup }, connections: 8 });

  async function fetchIcon(url: URL): Promise<Fetched> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(url, {
        dispatcher: agent,
        method: 'GET',
        signal,
        headers: { accept: [...IMAGE_TYPES].join(', '), 'user-agent': 'hub-icon-proxy' },
      });
      const type = String(response.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase();
      const declared = Number(response.headers['content-length'] ?? '0');
      if (
        response.statusCode !== 200 ||
        type === undefined ||
        !IMAGE_TYPES.has(type) ||
        declared > maxBytes
      ) {
        await response.body.dump();
        return { ok: false };
      }
      const chunks: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of response.body) {
        total += (chunk as Uint8Array).byteLength;
        if (total > maxBytes) {
          response.body.destroy();
          return { ok: false };
        }
        chunks.push(chunk as Uint8Array);
      }
      return { ok: true, type, body: Buffer.concat(chunks, total) };
    } catch {
      return { ok: false };
    }
  }

  return async (incoming) => {
    const raw = new URL(incoming.url).searchParams.get('url') ?? '';
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new DataPackError('INVALID_REQUEST', 'url must be an absolute https URL of an image.', {
        field: 'url',
      });
    }
    const plainAllowed = url.protocol === 'http:' && allowed(url);
    if ((url.protocol !== 'https:' && !plainAllowed) || url.username !== '' || url.password !== '') {
      throw new DataPackError('INVALID_REQUEST', 'url must be an absolute https URL of an image.', {
        field: 'url',
      });
    }
    // An address literal never goes through the lookup, so it is checked here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) !== 0 && !allowed(url) && !isPublicAddress(literal)) throw unavailable();
    const key = url.href;
    const hit = cache.get(key);
    let result: Fetched;
    if (hit !== undefined && hit.expires > Date.now()) {
      result = hit.result;
    } else {
      result = await fetchIcon(url);
      cache.delete(key);
      cache.set(key, { expires: Date.now() + (result.ok ? ttlMs : 60_000), result });
      while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    }
    if (!result.ok) throw unavailable();
    return new Response(result.body, {
      status: 200,
      headers: { ...ICON_HEADERS, 'content-type': result.type },
    });
  };
}

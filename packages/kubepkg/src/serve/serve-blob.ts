import { pipeline } from 'node:stream/promises';
import { mayPullThrough, pullTarget, pullThroughUpstream, upstreamMiss } from './pull-through.ts';
import { API_HEADERS, sendError, sendPullThroughChallenge } from './responses.ts';
import type { ContentRequest, ServeContext } from './serve-context.ts';

/** GET/HEAD `/v2/<name>/blobs/<digest>`: a linked blob (or a pull-through of it), with one `bytes=` range. */
export async function serveBlob(
  context: ServeContext,
  request: ContentRequest,
  digest: string,
): Promise<void> {
  const { req, res } = request;
  const linked = await findBlob(context, request, digest);
  if (linked === 'unauthorized') return sendPullThroughChallenge(res);
  const size = linked ? await context.storage.blobSize(digest) : undefined;
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
  const stream = await context.storage.openBlob(digest, range ?? undefined);
  await pipeline(stream, res).catch(() => res.destroy());
}

/** Whether one of the request's names links the blob, pulling it through when it is missing and may be. */
async function findBlob(
  context: ServeContext,
  request: ContentRequest,
  digest: string,
): Promise<boolean | 'unauthorized'> {
  const { storage } = context;
  let linked = false;
  for (const name of request.names) if (await storage.hasLayerLink(name, digest)) linked = true;
  if (linked && (await storage.hasBlob(digest))) return true;
  const upstream = pullThroughUpstream(context, request.pull);
  if (!upstream) return linked;
  if (!mayPullThrough(context, request.req)) return 'unauthorized';
  const blob = await upstream.client
    .getBlob({ registry: upstream.registry, repository: request.raw }, digest)
    .catch(upstreamMiss(upstream.registry));
  if (!blob) return linked;
  const target = await pullTarget(context, request.raw, upstream.registry);
  await storage.writeBlob(digest, blob.body, blob.length !== undefined ? { size: blob.length } : {});
  await storage.linkLayer(target.name, digest);
  if (target.record) await context.origins.add(target.name, [upstream.registry]);
  return true;
}

/** One `bytes=a-b` range (multi-range is not in the distribution spec); `invalid` answers 416. */
export function parseRange(
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

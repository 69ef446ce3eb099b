import { parseManifest } from '@hub/image-save/registry';
import { acceptedTypes, manifestMediaType, negotiate } from './accept.ts';
import { mayPullThrough, pullTarget, pullThroughUpstream, upstreamMiss } from './pull-through.ts';
import { API_HEADERS, sendError, sendPullThroughChallenge } from './responses.ts';
import type { ContentRequest, ServeContext } from './serve-context.ts';

interface Manifest {
  digest: string;
  bytes: Uint8Array;
  mediaType: string;
}

/**
 * GET/HEAD `/v2/<name>/manifests/<reference>`: the stored (or pulled-through) manifest, negotiated against
 * Accept as distribution v2.8.3 does; a list by tag for a client that accepts no lists is its linux/amd64 child.
 */
export async function serveManifest(
  context: ServeContext,
  request: ContentRequest,
  reference: string,
  isDigest: boolean,
): Promise<void> {
  const { req, res } = request;
  const found = await findManifest(context, request, reference, isDigest);
  if (found === 'unauthorized') return sendPullThroughChallenge(res);
  if (!found) return sendError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
  let manifest = await readManifest(context, found.digest);
  const decision = negotiate(manifest.mediaType, acceptedTypes(req.headers.accept), !isDigest);
  if ('amd64Child' in decision) {
    const child = await amd64Child(context, found.name, manifest);
    if (!child)
      return sendError(
        res,
        404,
        'MANIFEST_UNKNOWN',
        'no linux/amd64 manifest for a client that does not accept lists',
      );
    manifest = child;
  } else if (!decision.serve) {
    return sendError(res, 404, 'MANIFEST_UNKNOWN', decision.reason);
  }
  res.writeHead(200, {
    ...API_HEADERS,
    'content-type': manifest.mediaType,
    'content-length': manifest.bytes.byteLength,
    'docker-content-digest': manifest.digest,
    etag: `"${manifest.digest}"`,
  });
  res.end(req.method === 'HEAD' ? undefined : manifest.bytes);
}

/** The first stored name that has the manifest, else a pull-through of it (when this request may make one). */
async function findManifest(
  context: ServeContext,
  request: ContentRequest,
  reference: string,
  isDigest: boolean,
): Promise<{ name: string; digest: string } | 'unauthorized' | undefined> {
  const { storage } = context;
  for (const name of request.names) {
    const digest = isDigest ? reference : await storage.resolveTag(name, reference).catch(() => undefined);
    if (digest && (await storage.hasManifestLink(name, digest)) && (await storage.hasBlob(digest)))
      return { name, digest };
  }
  const upstream = pullThroughUpstream(context, request.pull);
  if (!upstream) return undefined;
  if (!mayPullThrough(context, request.req)) return 'unauthorized';
  const fetched = await upstream.client
    .getManifest({ registry: upstream.registry, repository: request.raw }, reference)
    .catch(upstreamMiss(upstream.registry));
  if (!fetched) return undefined;
  const target = await pullTarget(context, request.raw, upstream.registry);
  await storage.writeBlobBytes(fetched.digest, fetched.bytes);
  await storage.linkManifest(target.name, fetched.digest);
  if (!isDigest) await storage.tag(target.name, reference, fetched.digest);
  if (target.record) await context.origins.add(target.name, [upstream.registry]);
  return { name: target.name, digest: fetched.digest };
}

async function readManifest(context: ServeContext, digest: string): Promise<Manifest> {
  const bytes = await context.storage.readBlobBytes(digest);
  return { digest, bytes, mediaType: manifestMediaType(bytes) };
}

/** The linux/amd64 child of an index, when `name` has it stored; `undefined` otherwise. */
async function amd64Child(
  context: ServeContext,
  name: string,
  index: Manifest,
): Promise<Manifest | undefined> {
  const parsed = parseManifest(index.bytes, index.mediaType);
  const child =
    parsed.kind === 'index'
      ? parsed.manifests.find((d) => d.platform?.os === 'linux' && d.platform.architecture === 'amd64')
      : undefined;
  if (
    !child ||
    !(await context.storage.hasManifestLink(name, child.digest)) ||
    !(await context.storage.hasBlob(child.digest))
  )
    return undefined;
  return readManifest(context, child.digest);
}

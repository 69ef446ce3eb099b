// Manifests: fetched byte-exact and verified, HEADed, uploaded.
import { digestBytes, parseDigest } from '../digest/digest.ts';
import { MANIFEST_ACCEPT } from './media-types.ts';
import type { RegistryRequester, SendOptions } from './registry-requester.ts';
import type { FetchedManifest, ManifestHead, RepositoryLocation } from './registry-types.ts';
import { header, manifestPath, numberHeader, pullScope, pushScope } from './response-helpers.ts';

/**
 * Fetches a manifest byte-exact by tag or digest. Checks Content-Length, the size limit, and the
 * digest (against the requested digest, else against `Docker-Content-Digest` when sent).
 */
export async function getManifest(
  req: RegistryRequester,
  loc: RepositoryLocation,
  reference: string,
  opts: { signal?: AbortSignal } = {},
): Promise<FetchedManifest> {
  const what = `manifest ${reference}`;
  const url = req.url(loc.registry, manifestPath(loc, reference));
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
  return req.request(url, o, true, loc.registry, async (res) => {
    const declared = numberHeader(res, 'content-length');
    if (declared !== undefined && declared > req.maxManifest) {
      await res.body.dump();
      throw req.error(
        'MANIFEST_TOO_LARGE',
        `${what} from ${loc.registry} is ${declared} bytes, over the ${req.maxManifest}-byte limit`,
        loc,
        reference,
      );
    }
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    if (declared !== undefined && declared !== bytes.byteLength) {
      throw req.error(
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
      throw req.error(
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
export async function headManifest(
  req: RegistryRequester,
  loc: RepositoryLocation,
  reference: string,
  opts: { signal?: AbortSignal } = {},
): Promise<ManifestHead | undefined> {
  const res = await req.send(loc.registry, manifestPath(loc, reference), {
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

/** Uploads a manifest under a tag or its digest; returns the digest of the bytes sent. */
export async function putManifest(
  req: RegistryRequester,
  loc: RepositoryLocation,
  reference: string,
  bytes: Uint8Array,
  mediaType: string,
  opts: { signal?: AbortSignal } = {},
): Promise<string> {
  const res = await req.send(loc.registry, manifestPath(loc, reference), {
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

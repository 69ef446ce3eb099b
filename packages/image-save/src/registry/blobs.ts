// Blobs: streamed (Range, redirects without Authorization), HEADed, mounted across repositories, uploaded.
import { apiHost, type RegistryRequester } from './registry-requester.ts';
import type { BlobResponse, RepositoryLocation } from './registry-types.ts';
import { blobPath, header, isRedirect, numberHeader, pullScope, pushScope } from './response-helpers.ts';
import { rechunk } from './streams.ts';

/**
 * Streams a blob, optionally from `offset` (HTTP Range). Redirects to object storage are followed
 * without the Authorization header. Check `start`: a server that ignores Range starts at 0.
 * `retry: false` makes one try only, for callers that retry the whole transfer themselves (resuming it).
 */
export async function getBlob(
  req: RegistryRequester,
  loc: RepositoryLocation,
  digest: string,
  opts: { offset?: number; signal?: AbortSignal; retry?: false } = {},
): Promise<BlobResponse> {
  const offset = opts.offset ?? 0;
  const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
  const what = `blob ${digest}`;
  const once = opts.retry === false ? { retry: false as const } : {};
  let res = await req.send(loc.registry, blobPath(loc, digest), {
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
      throw req.error(
        'UNEXPECTED_STATUS',
        `${loc.registry} redirected ${what} without a usable Location`,
        loc,
        digest,
      );
    }
    const base = `${req.dispatchers.scheme(loc.registry)}//${apiHost(loc.registry)}${blobPath(loc, digest)}`;
    res = await req.sendUrl(
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
    throw req.error(
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
export async function headBlob(
  req: RegistryRequester,
  loc: RepositoryLocation,
  digest: string,
  opts: { signal?: AbortSignal } = {},
): Promise<{ size: number | undefined } | undefined> {
  const res = await req.send(loc.registry, blobPath(loc, digest), {
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
export async function mountBlob(
  req: RegistryRequester,
  loc: RepositoryLocation,
  digest: string,
  fromRepository: string,
  opts: { signal?: AbortSignal } = {},
): Promise<boolean> {
  const path = `/v2/${loc.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`;
  const res = await req.send(loc.registry, path, {
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
  if (location) await cancelUpload(req, loc, location);
  return false;
}

/**
 * Uploads a blob: monolithic (POST then one PUT) by default, or chunked (PATCH per `chunkSize`
 * bytes) when `chunkSize` is set. Skips the upload when the blob already exists.
 */
export async function putBlob(
  req: RegistryRequester,
  loc: RepositoryLocation,
  digest: string,
  content: Uint8Array | AsyncIterable<Uint8Array>,
  opts: { size?: number; chunkSize?: number; signal?: AbortSignal } = {},
): Promise<{ uploaded: boolean }> {
  if (await headBlob(req, loc, digest, opts.signal ? { signal: opts.signal } : {}))
    return { uploaded: false };
  const scopes = [pushScope(loc.repository)];
  const started = await req.send(loc.registry, `/v2/${loc.repository}/blobs/uploads/`, {
    method: 'POST',
    scopes,
    signal: opts.signal,
    ok: [202],
    repository: loc.repository,
    reference: digest,
  });
  await started.body.dump();
  let location = uploadUrl(req, loc, header(started, 'location'));
  if (opts.chunkSize !== undefined && opts.chunkSize > 0) {
    let offset = 0;
    for await (const chunk of rechunk(content, opts.chunkSize)) {
      const res = await req.sendUrl(
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
      location = uploadUrl(req, loc, header(res, 'location') ?? location.toString());
    }
    location.searchParams.set('digest', digest);
    const done = await req.sendUrl(
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
  const done = await req.sendUrl(
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

async function cancelUpload(
  req: RegistryRequester,
  loc: RepositoryLocation,
  location: string,
): Promise<void> {
  try {
    const res = await req.sendUrl(
      uploadUrl(req, loc, location),
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

function uploadUrl(req: RegistryRequester, loc: RepositoryLocation, location: string | undefined): URL {
  if (!location)
    throw req.error('UNEXPECTED_STATUS', `${loc.registry} opened an upload without a Location header`, loc);
  return new URL(location, `${req.dispatchers.scheme(loc.registry)}//${apiHost(loc.registry)}`);
}

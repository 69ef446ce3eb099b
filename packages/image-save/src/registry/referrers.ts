// The OCI Referrers API.
import { MediaType } from './media-types.ts';
import type { RegistryRequester, SendOptions } from './registry-requester.ts';
import type { RepositoryLocation } from './registry-types.ts';
import { header, numberHeader, pullScope } from './response-helpers.ts';

/**
 * The OCI Referrers API answer for `digest` (`GET /v2/<name>/referrers/<digest>`), byte-exact;
 * undefined when the registry does not offer the API (404, 400, 405), so callers fall back to the
 * referrers tag schema.
 */
export async function getReferrers(
  req: RegistryRequester,
  loc: RepositoryLocation,
  digest: string,
  opts: { signal?: AbortSignal } = {},
): Promise<{ bytes: Uint8Array; mediaType: string } | undefined> {
  const url = req.url(loc.registry, `/v2/${loc.repository}/referrers/${digest}`);
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
  return req.request(url, o, true, loc.registry, async (res) => {
    if (res.statusCode !== 200) {
      await res.body.dump();
      return undefined;
    }
    const declared = numberHeader(res, 'content-length');
    if (declared !== undefined && declared > req.maxManifest) {
      await res.body.dump();
      return undefined;
    }
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    if (declared !== undefined && declared !== bytes.byteLength) {
      throw req.error('SIZE_MISMATCH', `the referrers of ${digest} arrived cut short`, loc, digest);
    }
    const mediaType = (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
    return { bytes, mediaType };
  });
}

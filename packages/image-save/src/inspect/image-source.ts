import { parseDigest } from '../digest/digest.ts';
import type { RegistryClient } from '../registry/registry-client.ts';
import type { RepositoryLocation } from '../registry/registry-types.ts';
import { RegistryStorage } from '../storage/registry-storage.ts';
import { InspectError, type InspectErrorCode } from './inspect-error.ts';

/** A manifest as read from a source, byte-exact. */
export interface SourceManifest {
  bytes: Uint8Array;
  digest: string;
  mediaType: string;
}

/** Where an image's manifests and blobs are read from: a registry or a hub-save directory. */
export interface ImageSource {
  getManifest(reference: string, signal: AbortSignal): Promise<SourceManifest>;
  /** A small blob (a config) in memory; fails over `maxBytes`. */
  readBlob(digest: string, maxBytes: number, signal: AbortSignal): Promise<Uint8Array>;
  /** A blob as a stream; stopping the iteration closes it. */
  openBlob(digest: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

/** Reads through the registry client (auth, retries, plain-http opt-in, pooled connections). */
export function registrySource(
  client: RegistryClient,
  loc: RepositoryLocation,
  reference: string,
): ImageSource {
  const wrap = async <T>(what: string, digest: string | undefined, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw fromRegistryError(error, `${loc.registry}/${loc.repository}`, what, reference, digest);
    }
  };
  return {
    getManifest: (ref, signal) =>
      wrap('manifest', parseDigest(ref) ? ref : undefined, () => client.getManifest(loc, ref, { signal })),
    readBlob: (digest, maxBytes, signal) =>
      wrap('blob', digest, async () => {
        const blob = await client.getBlob(loc, digest, { signal });
        return collect(blob.body, maxBytes, digest, reference);
      }),
    openBlob: (digest, signal) =>
      wrap('blob', digest, async () => (await client.getBlob(loc, digest, { signal })).body),
  };
}

/** Reads a hub-save storage directory (the distribution registry's filesystem layout). */
export function storageSource(dir: string, repository: string, reference: string): ImageSource {
  const storage = new RegistryStorage(dir);
  const wrap = async <T>(digest: string | undefined, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof InspectError) throw error;
      const code = normalizeCode((error as { code?: unknown }).code);
      if (code === 'BLOB_UNKNOWN' || code === 'ENOENT')
        throw new InspectError(
          'NOT_FOUND',
          `${repository} in ${dir} lacks blob ${digest ?? ''}; save the image again with hub-save.`,
          { cause: error, reference, ...(digest ? { digest } : {}) },
        );
      throw new InspectError('STORAGE_ERROR', `Reading ${repository} from ${dir} failed.`, {
        cause: error,
        reference,
        ...(digest ? { digest } : {}),
      });
    }
  };
  return {
    getManifest: (ref) =>
      wrap(undefined, async () => {
        const digest = parseDigest(ref) ? ref : await storage.resolveTag(repository, ref);
        if (!digest)
          throw new InspectError('NOT_FOUND', `${dir} has no tag ${repository}:${ref}.`, { reference });
        const bytes = await storage.readBlobBytes(digest);
        const mediaType = (JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: unknown }).mediaType;
        return { bytes, digest, mediaType: typeof mediaType === 'string' ? mediaType : '' };
      }),
    readBlob: (digest, maxBytes) =>
      wrap(digest, async () => collect(await storage.openBlob(digest), maxBytes, digest, reference)),
    openBlob: (digest) => wrap(digest, () => storage.openBlob(digest)),
  };
}

async function collect(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
  digest: string,
  reference: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes)
      throw new InspectError(
        'CONFIG_INVALID',
        `The config ${digest} of ${reference} is over ${maxBytes} bytes.`,
        {
          reference,
          digest,
        },
      );
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `manifest-unknown` (today's codes) and `MANIFEST_UNKNOWN` (the HubError codes) read the same. */
function normalizeCode(code: unknown): string {
  return typeof code === 'string' ? code.toUpperCase().replaceAll('-', '_') : '';
}

const REGISTRY_CODES: Record<string, InspectErrorCode> = {
  MANIFEST_UNKNOWN: 'NOT_FOUND',
  NAME_UNKNOWN: 'NOT_FOUND',
  BLOB_UNKNOWN: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  DENIED: 'UNAUTHORIZED',
  ABORTED: 'ABORTED',
  TIMEOUT: 'REGISTRY_UNAVAILABLE',
  NETWORK: 'REGISTRY_UNAVAILABLE',
  SERVER_ERROR: 'REGISTRY_UNAVAILABLE',
  TOO_MANY_REQUESTS: 'REGISTRY_UNAVAILABLE',
  HOST_NOT_FOUND: 'REGISTRY_UNAVAILABLE',
  TLS: 'REGISTRY_UNAVAILABLE',
  SCHEMA1_UNSUPPORTED: 'NOT_AN_IMAGE',
  UNSUPPORTED_MEDIA_TYPE: 'NOT_AN_IMAGE',
  MANIFEST_INVALID: 'NOT_AN_IMAGE',
};

/** Maps a registry client error onto an inspect code, keeping it as `cause` and its message. */
export function fromRegistryError(
  error: unknown,
  where: string,
  what: string,
  reference: string,
  digest?: string,
): InspectError {
  if (error instanceof InspectError) return error;
  const e = error as { code?: unknown; message?: unknown; retryable?: unknown; name?: unknown };
  const code =
    e?.name === 'AbortError' ? 'ABORTED' : (REGISTRY_CODES[normalizeCode(e?.code)] ?? 'REGISTRY_ERROR');
  const message =
    typeof e?.message === 'string' && e.message !== ''
      ? e.message
      : `Reading the ${what} of ${reference} from ${where} failed.`;
  return new InspectError(code, message, {
    cause: error,
    reference,
    retryable: e?.retryable === true,
    ...(digest ? { digest } : {}),
  });
}

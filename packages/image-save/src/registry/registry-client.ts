import { getBlob, headBlob, mountBlob, putBlob } from './blobs.ts';
import { catalog, listTags } from './listings.ts';
import { getManifest, headManifest, putManifest } from './manifests.ts';
import { getReferrers } from './referrers.ts';
import { RegistryRequester } from './registry-requester.ts';
import type {
  BlobResponse,
  FetchedManifest,
  ManifestHead,
  RegistryClientOptions,
  RepositoryLocation,
} from './registry-types.ts';
import type { HostDispatchers } from './transport.ts';

/**
 * An OCI distribution client over undici: one connection pool per host (keep-alive, capped), bearer
 * and basic auth with cached tokens, bounded retries with backoff for 429/5xx/resets honouring
 * Retry-After, an idle watchdog, and blob redirects followed without the Authorization header.
 */
export class RegistryClient {
  readonly dispatchers: HostDispatchers;
  #req: RegistryRequester;

  constructor(opts: RegistryClientOptions = {}) {
    this.#req = new RegistryRequester(opts);
    this.dispatchers = this.#req.dispatchers;
  }

  /** Closes every pooled connection. */
  close(): Promise<void> {
    return this.dispatchers.close();
  }

  /**
   * Fetches a manifest byte-exact by tag or digest. Checks Content-Length, the size limit, and the
   * digest (against the requested digest, else against `Docker-Content-Digest` when sent).
   */
  getManifest(
    loc: RepositoryLocation,
    reference: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<FetchedManifest> {
    return getManifest(this.#req, loc, reference, opts);
  }

  /** HEADs a manifest; undefined when it does not exist. Costs no Docker Hub pull quota. */
  headManifest(
    loc: RepositoryLocation,
    reference: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<ManifestHead | undefined> {
    return headManifest(this.#req, loc, reference, opts);
  }

  /**
   * Streams a blob, optionally from `offset` (HTTP Range). Redirects to object storage are followed
   * without the Authorization header. Check `start`: a server that ignores Range starts at 0.
   * `retry: false` makes one try only, for callers that retry the whole transfer themselves (resuming it).
   */
  getBlob(
    loc: RepositoryLocation,
    digest: string,
    opts: { offset?: number; signal?: AbortSignal; retry?: false } = {},
  ): Promise<BlobResponse> {
    return getBlob(this.#req, loc, digest, opts);
  }

  /** HEADs a blob: its size, or undefined when the repository does not have it. */
  headBlob(
    loc: RepositoryLocation,
    digest: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ size: number | undefined } | undefined> {
    return headBlob(this.#req, loc, digest, opts);
  }

  /** Tries a cross-repository mount; true when the blob is now in `loc` without an upload. */
  mountBlob(
    loc: RepositoryLocation,
    digest: string,
    fromRepository: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<boolean> {
    return mountBlob(this.#req, loc, digest, fromRepository, opts);
  }

  /**
   * Uploads a blob: monolithic (POST then one PUT) by default, or chunked (PATCH per `chunkSize`
   * bytes) when `chunkSize` is set. Skips the upload when the blob already exists.
   */
  putBlob(
    loc: RepositoryLocation,
    digest: string,
    content: Uint8Array | AsyncIterable<Uint8Array>,
    opts: { size?: number; chunkSize?: number; signal?: AbortSignal } = {},
  ): Promise<{ uploaded: boolean }> {
    return putBlob(this.#req, loc, digest, content, opts);
  }

  /** Uploads a manifest under a tag or its digest; returns the digest of the bytes sent. */
  putManifest(
    loc: RepositoryLocation,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<string> {
    return putManifest(this.#req, loc, reference, bytes, mediaType, opts);
  }

  /**
   * The OCI Referrers API answer for `digest` (`GET /v2/<name>/referrers/<digest>`), byte-exact;
   * undefined when the registry does not offer the API (404, 400, 405), so callers fall back to the
   * referrers tag schema.
   */
  getReferrers(
    loc: RepositoryLocation,
    digest: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ bytes: Uint8Array; mediaType: string } | undefined> {
    return getReferrers(this.#req, loc, digest, opts);
  }

  /** Every tag of a repository, following `Link` pagination. */
  listTags(
    loc: RepositoryLocation,
    opts: { pageSize?: number; signal?: AbortSignal } = {},
  ): Promise<string[]> {
    return listTags(this.#req, loc, opts);
  }

  /** Every repository name from `_catalog`, following `Link` pagination. */
  catalog(registry: string, opts: { pageSize?: number; signal?: AbortSignal } = {}): Promise<string[]> {
    return catalog(this.#req, registry, opts);
  }
}

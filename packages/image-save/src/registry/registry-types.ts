import type { Readable } from 'node:stream';
import type { RegistryAuth } from '../auth/registry-auth.ts';
import type { RegistryError } from './registry-error.ts';
import type { RetryPolicy } from './retry.ts';
import type { TransportOptions } from './transport.ts';

// The public shapes of the registry client: its options and what its calls answer.

/** Options for `RegistryClient`. */
export interface RegistryClientOptions extends TransportOptions {
  /** Authentication (default: docker config.json credentials); `false` sends no credentials. */
  auth?: RegistryAuth | false;
  /** Retry policy for 429, 5xx, connection resets and timeouts. */
  retry?: Partial<RetryPolicy>;
  /** Largest manifest accepted, in bytes (default 4 MiB, as the distribution registry). */
  maxManifestBytes?: number;
  userAgent?: string;
  /** Called before each retry (for progress/event streams). */
  onRetry?: (info: RegistryRetry) => void;
}

/** One retry of a registry request, as reported to {@link RegistryClientOptions.onRetry}. */
export interface RegistryRetry {
  host: string;
  path: string;
  /** The try that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: RegistryError;
  /** The tag or digest being fetched, when there is one. */
  reference?: string;
}

/** A repository on a registry host. */
export interface RepositoryLocation {
  /** Registry host as written in references (`docker.io`, `127.0.0.1:5000`). */
  registry: string;
  repository: string;
}

/** A manifest fetched byte-exact. */
export interface FetchedManifest {
  bytes: Uint8Array;
  digest: string;
  mediaType: string;
  size: number;
}

/** A manifest's identity from a HEAD request. */
export interface ManifestHead {
  digest: string | undefined;
  mediaType: string;
  size: number | undefined;
}

/** A blob body being streamed. */
export interface BlobResponse {
  /** The body; consume it fully or destroy it. */
  body: Readable;
  /** Offset of the first byte of `body` (the Range start when the server honoured it, else 0). */
  start: number;
  /** Length of `body` when the server said (Content-Length). */
  length: number | undefined;
}

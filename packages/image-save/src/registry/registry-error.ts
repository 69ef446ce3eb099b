/** Closed set of reasons a registry operation fails. */
export type RegistryErrorCode =
  | 'manifest-unknown'
  | 'blob-unknown'
  | 'name-unknown'
  | 'name-invalid'
  | 'tag-invalid'
  | 'manifest-invalid'
  | 'manifest-too-large'
  | 'unauthorized'
  | 'denied'
  | 'too-many-requests'
  | 'digest-mismatch'
  | 'size-mismatch'
  | 'unsupported-media-type'
  | 'schema1-unsupported'
  | 'range-not-satisfiable'
  | 'unsupported'
  | 'server-error'
  | 'unexpected-status'
  | 'host-not-found'
  | 'tls'
  | 'network'
  | 'timeout'
  | 'aborted';

/** Fields describing a registry failure; the registry's own error body is kept here, never in `message`. */
export interface RegistryErrorDetails {
  status?: number;
  retryable?: boolean;
  host?: string;
  repository?: string;
  reference?: string;
  /** Distribution error code from the response body (e.g. `MANIFEST_UNKNOWN`). */
  registryCode?: string;
  /** Distribution error message from the response body. */
  registryMessage?: string;
  /** Seconds the registry asked us to wait (Retry-After). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** Error thrown by the registry client; `code` is closed, `retryable` says whether trying again may help. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly code: RegistryErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly host: string | undefined;
  readonly repository: string | undefined;
  readonly reference: string | undefined;
  readonly registryCode: string | undefined;
  readonly registryMessage: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: RegistryErrorCode, message: string, details: RegistryErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.retryable = details.retryable ?? false;
    this.host = details.host;
    this.repository = details.repository;
    this.reference = details.reference;
    this.registryCode = details.registryCode;
    this.registryMessage = details.registryMessage;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** True for a {@link RegistryError} (also across duplicated module copies). */
export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof Error && error.name === 'RegistryError' && 'code' in error;
}

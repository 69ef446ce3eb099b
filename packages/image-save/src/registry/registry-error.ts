import { HubError, hubErrorGuard } from '@hub/api-types/errors';

/** Closed set of reasons a registry operation fails. */
export type RegistryErrorCode =
  | 'MANIFEST_UNKNOWN'
  | 'BLOB_UNKNOWN'
  | 'NAME_UNKNOWN'
  | 'NAME_INVALID'
  | 'TAG_INVALID'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'TOO_MANY_REQUESTS'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SCHEMA1_UNSUPPORTED'
  | 'RANGE_NOT_SATISFIABLE'
  | 'UNSUPPORTED'
  | 'SERVER_ERROR'
  | 'UNEXPECTED_STATUS'
  | 'HOST_NOT_FOUND'
  | 'TLS'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'ABORTED';

/**
 * The one place that decides whether a registry failure is worth another try. Retry loops read
 * `error.retryable`, which comes from here, never from HTTP statuses.
 */
export const REGISTRY_ERROR_RETRYABLE: Readonly<Record<RegistryErrorCode, boolean>> = {
  MANIFEST_UNKNOWN: false,
  BLOB_UNKNOWN: false,
  NAME_UNKNOWN: false,
  NAME_INVALID: false,
  TAG_INVALID: false,
  MANIFEST_INVALID: false,
  MANIFEST_TOO_LARGE: false,
  UNAUTHORIZED: false,
  DENIED: false,
  TOO_MANY_REQUESTS: true,
  // Bytes that hash wrong were damaged on the way (or the registry is broken): one more try is cheap.
  DIGEST_MISMATCH: true,
  // A body that ended early: the connection broke mid-transfer.
  SIZE_MISMATCH: true,
  UNSUPPORTED_MEDIA_TYPE: false,
  SCHEMA1_UNSUPPORTED: false,
  RANGE_NOT_SATISFIABLE: false,
  UNSUPPORTED: false,
  SERVER_ERROR: true,
  UNEXPECTED_STATUS: false,
  HOST_NOT_FOUND: false,
  TLS: false,
  NETWORK: true,
  TIMEOUT: true,
  ABORTED: false,
};

/** Fields describing a registry failure; the registry's own error body is kept here, never in `message`. */
export interface RegistryErrorDetails {
  status?: number;
  host?: string;
  repository?: string;
  /** The tag or digest asked for. */
  reference?: string;
  /** Distribution error code from the response body (e.g. `MANIFEST_UNKNOWN`). */
  registryCode?: string;
  /** Distribution error message from the response body. */
  registryMessage?: string;
  /** Seconds the registry asked us to wait (Retry-After). */
  retryAfterSeconds?: number;
  /** How many tries were made before giving up (set by the retry path). */
  attempts?: number;
  cause?: unknown;
}

/** Error thrown by the registry client; `code` is closed, `retryable` comes from {@link REGISTRY_ERROR_RETRYABLE}. */
export class RegistryError extends HubError<RegistryErrorCode> {
  override readonly name = 'RegistryError';
  readonly status: number | undefined;
  readonly host: string | undefined;
  readonly repository: string | undefined;
  readonly reference: string | undefined;
  readonly registryCode: string | undefined;
  readonly registryMessage: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** Tries made, including the first; 1 when the failure was not retried. */
  readonly attempts: number;

  constructor(code: RegistryErrorCode, message: string, details: RegistryErrorDetails = {}) {
    super(code, message, {
      retryable: REGISTRY_ERROR_RETRYABLE[code],
      ...(details.cause === undefined ? {} : { cause: details.cause }),
    });
    this.status = details.status;
    this.host = details.host;
    this.repository = details.repository;
    this.reference = details.reference;
    this.registryCode = details.registryCode;
    this.registryMessage = details.registryMessage;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.attempts = details.attempts ?? 1;
  }

  /** The same failure, noting how many tries were made (the message says it once, for people). */
  withAttempts(attempts: number): RegistryError {
    if (attempts <= 1) return this;
    const e = new RegistryError(this.code, `${this.message} (gave up after ${attempts} tries)`, {
      ...this.details(),
      attempts,
      cause: this.cause ?? this,
    });
    return e;
  }

  details(): RegistryErrorDetails {
    return {
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.host === undefined ? {} : { host: this.host }),
      ...(this.repository === undefined ? {} : { repository: this.repository }),
      ...(this.reference === undefined ? {} : { reference: this.reference }),
      ...(this.registryCode === undefined ? {} : { registryCode: this.registryCode }),
      ...(this.registryMessage === undefined ? {} : { registryMessage: this.registryMessage }),
      ...(this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds }),
    };
  }
}

/** Brand guard for {@link RegistryError} (works across installed copies). */
export const isRegistryError = hubErrorGuard<RegistryError>('RegistryError');

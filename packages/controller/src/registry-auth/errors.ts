import { HubError, hubErrorGuard } from '@hub/api-types/errors';

/** Every failure of the registry token server, as a closed set. */
export type RegistryAuthErrorCode =
  /** A flag or option is wrong (names the option). */
  | 'INVALID_OPTION'
  /** The request is malformed (bad scope, unknown service, too many scopes). */
  | 'INVALID_REQUEST'
  /** The TokenReview API could not be reached or failed. */
  | 'TOKEN_REVIEW_FAILED'
  /** The key directory could not be read or written, or holds a key we cannot use. */
  | 'KEY_STORE_FAILED'
  /** Writing a Repository's downloadCount failed. */
  | 'DOWNLOAD_COUNT_FAILED';

export interface RegistryAuthErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** HTTP status a handler answers with. */
  status?: number;
  /** Seconds a client should wait (429). */
  retryAfterSeconds?: number;
}

/** The one error class of the registry token server. */
export class RegistryAuthError extends HubError<RegistryAuthErrorCode> {
  override readonly name = 'RegistryAuthError';
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: RegistryAuthErrorCode, message: string, options: RegistryAuthErrorOptions = {}) {
    super(code, message, options);
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Brand guard for {@link RegistryAuthError} (works across package copies). */
export const isRegistryAuthError = hubErrorGuard<RegistryAuthError>('RegistryAuthError');

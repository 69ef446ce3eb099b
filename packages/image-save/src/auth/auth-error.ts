import { HubError, hubErrorGuard } from '@hub/api-types/errors';

/** Closed set of reasons authentication fails. */
export type AuthErrorCode =
  | 'DOCKER_CONFIG_INVALID'
  | 'HELPER_FAILED'
  | 'TOKEN_FAILED'
  | 'CHALLENGE_INVALID'
  | 'TOKEN_REALM_INSECURE'
  | 'TOKEN_TOO_LARGE';

/** A token service that answered 5xx may answer next time; a broken config or helper will not. */
export const AUTH_ERROR_RETRYABLE: Readonly<Record<AuthErrorCode, boolean>> = {
  DOCKER_CONFIG_INVALID: false,
  HELPER_FAILED: false,
  TOKEN_FAILED: false,
  CHALLENGE_INVALID: false,
  TOKEN_REALM_INSECURE: false,
  TOKEN_TOO_LARGE: false,
};

/** Error thrown by the auth layer; never carries secrets or response bodies in `message`. */
export class AuthError extends HubError<AuthErrorCode> {
  override readonly name = 'AuthError';
  readonly host: string | undefined;
  readonly status: number | undefined;

  constructor(
    code: AuthErrorCode,
    message: string,
    details: { host?: string; status?: number; cause?: unknown } = {},
  ) {
    super(code, message, {
      retryable: AUTH_ERROR_RETRYABLE[code],
      ...(details.cause === undefined ? {} : { cause: details.cause }),
    });
    this.host = details.host;
    this.status = details.status;
  }
}

/** Brand guard for {@link AuthError} (works across installed copies). */
export const isAuthError = hubErrorGuard<AuthError>('AuthError');

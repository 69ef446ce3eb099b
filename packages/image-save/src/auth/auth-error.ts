/** Closed set of reasons authentication fails. */
export type AuthErrorCode = 'config-invalid' | 'helper-failed' | 'token-failed' | 'challenge-invalid';

/** Error thrown by the auth layer; never carries secrets or response bodies in `message`. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: AuthErrorCode;
  readonly host: string | undefined;
  readonly status: number | undefined;

  constructor(
    code: AuthErrorCode,
    message: string,
    details: { host?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.host = details.host;
    this.status = details.status;
  }
}

import { HubError, hubErrorGuard } from '@hub/api-types/errors';

/** Why a Kubernetes API request failed; a closed set, stable across releases. */
export type KubeApiErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'ALREADY_EXISTS'
  | 'GONE'
  | 'INVALID'
  | 'TOO_MANY_REQUESTS'
  | 'SERVER_ERROR'
  | 'UNAVAILABLE'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'INVALID_CONFIG';

/** The one table that decides a status's code and whether a retry may help. */
const BY_STATUS: Record<number, { code: KubeApiErrorCode; retryable: boolean }> = {
  400: { code: 'BAD_REQUEST', retryable: false },
  401: { code: 'UNAUTHORIZED', retryable: false },
  403: { code: 'FORBIDDEN', retryable: false },
  404: { code: 'NOT_FOUND', retryable: false },
  // A 409 on an optimistic-concurrency write means "reread and try again".
  409: { code: 'CONFLICT', retryable: true },
  410: { code: 'GONE', retryable: true },
  422: { code: 'INVALID', retryable: false },
  429: { code: 'TOO_MANY_REQUESTS', retryable: true },
  500: { code: 'SERVER_ERROR', retryable: true },
  502: { code: 'UNAVAILABLE', retryable: true },
  503: { code: 'UNAVAILABLE', retryable: true },
  504: { code: 'TIMEOUT', retryable: true },
};

/** A failed request to the Kubernetes API. The Status body is kept in `detail`, never in `message`. */
export class KubeApiError extends HubError<KubeApiErrorCode> {
  override readonly name = 'KubeApiError';
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** `reason` of the returned v1 Status (`AlreadyExists`, `Conflict`, `Expired`...). */
  readonly reason: string | undefined;
  /** The Status `message` from the server (may name fields; never credentials). */
  readonly detail: string | undefined;
  /** `Retry-After` seconds, when the server sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: KubeApiErrorCode,
    message: string,
    options: {
      retryable?: boolean;
      cause?: unknown;
      status?: number;
      reason?: string;
      detail?: string;
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(code, message, {
      retryable: options.retryable ?? false,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.status = options.status;
    this.reason = options.reason;
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Brand guard for {@link KubeApiError}; works across installed copies. */
export const isKubeApiError = hubErrorGuard<KubeApiError>('KubeApiError');

/** Maps an HTTP status and a parsed v1 Status body to a KubeApiError (the only place that does). */
export function kubeApiErrorFromStatus(
  status: number,
  what: string,
  body: unknown,
  retryAfter?: string | undefined,
): KubeApiError {
  const s = (typeof body === 'object' && body !== null ? body : {}) as {
    reason?: unknown;
    message?: unknown;
  };
  const reason = typeof s.reason === 'string' ? s.reason : undefined;
  let entry = BY_STATUS[status] ?? {
    code: status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST',
    retryable: status >= 500,
  };
  if (status === 409 && reason === 'AlreadyExists') entry = { code: 'ALREADY_EXISTS', retryable: false };
  const retryAfterSeconds = retryAfter === undefined ? undefined : Number(retryAfter);
  return new KubeApiError(
    entry.code,
    `${what}: the apiserver answered HTTP ${status}${reason ? ` (${reason})` : ''}`,
    {
      retryable: entry.retryable,
      status,
      ...(reason === undefined ? {} : { reason }),
      ...(typeof s.message === 'string' ? { detail: s.message } : {}),
      ...(retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) ? { retryAfterSeconds } : {}),
    },
  );
}

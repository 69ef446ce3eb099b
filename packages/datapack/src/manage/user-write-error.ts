import { DataPackError } from '../errors.ts';
import { isKubeApiError } from '../kube/kube-api-error.ts';

/**
 * Maps the apiserver's answer to a write made with the user's own token. RBAC's and the admission
 * webhooks' reasons (the Status message) are kept: the user needs them, and they hold no secret.
 */
export function userWriteError(error: unknown, what: string): unknown {
  if (!isKubeApiError(error)) return error;
  const reason = error.detail ?? error.message;
  switch (error.status) {
    case 401:
      return new DataPackError(
        'UNAUTHENTICATED',
        'the apiserver no longer accepts your token; sign in again.',
        {
          cause: error,
        },
      );
    case 403:
      return new DataPackError('FORBIDDEN', `${what} was refused: ${reason}`, { cause: error, status: 403 });
    case 404:
      return new DataPackError('NOT_FOUND', `${what}: it no longer exists.`, { cause: error, status: 404 });
    case 400:
    case 422:
      return new DataPackError('INVALID_REQUEST', `${what} was refused: ${reason}`, {
        cause: error,
        status: error.status,
        field: 'body',
      });
    default:
      return new DataPackError('KUBE_API', `${what} failed: ${error.message}`, {
        cause: error,
        retryable: error.retryable,
        ...(error.status === undefined ? {} : { status: error.status }),
      });
  }
}

import { HubError, hubErrorGuard } from '@hub/api-types/errors';

/** Why the controller could not start or keep running; a closed set, stable across releases. */
export type ControllerErrorCode =
  | 'INVALID_FLAG'
  | 'KUBECONFIG'
  | 'CRD_NOT_ESTABLISHED'
  | 'CACHE_SYNC_TIMEOUT'
  | 'WEBHOOK_CERT'
  | 'BIND_FAILED'
  | 'LEADERSHIP_LOST'
  | 'IDENTITY'
  | 'RECONCILE_TIMEOUT'
  | 'UNKNOWN_KIND';

export class ControllerError extends HubError<ControllerErrorCode> {
  override readonly name = 'ControllerError';
}

/** Brand guard for {@link ControllerError}. */
export const isControllerError = hubErrorGuard<ControllerError>('ControllerError');

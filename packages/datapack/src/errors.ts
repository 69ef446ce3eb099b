import { HubError, type HubErrorOptions, hubErrorGuard } from '@hub/api-types/errors';

/**
 * Why a @hub/datapack call failed. Closed: adding a code is a minor change.
 * - `INVALID_REQUEST`: a parameter or body field is malformed (`field` names it).
 * - `INVALID_CURSOR`: a pagination cursor was not issued for this query.
 * - `UNAUTHENTICATED`: no session, or a token the apiserver does not accept (expired, wrong audience, malformed).
 * - `FORBIDDEN`: a write refused: from another origin, or by the apiserver's RBAC or admission (its reason kept).
 * - `NOT_FOUND`: the repository or organization does not exist (or is not visible to the caller).
 * - `METHOD_NOT_ALLOWED`: an HTTP method the route does not serve.
 * - `PAYLOAD_TOO_LARGE`: a request body over the handler's limit (1 MiB).
 * - `NOT_READY`: the catalogue has not synced yet.
 * - `TIMEOUT`: a DataPack did not reach OK or ERROR in time (cr mode).
 * - `SPEC_MISMATCH`: the DataPack with the expected name holds another spec (cr mode); it is not used.
 * - `KUBE_API`: the apiserver refused or failed a request.
 * - `INVALID_OPTION`: the handler's own configuration is unusable (a session secret that is too short).
 */
export type DataPackErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_CURSOR'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_READY'
  | 'TIMEOUT'
  | 'SPEC_MISMATCH'
  | 'KUBE_API'
  | 'REGISTRY'
  | 'INVALID_OPTION';

export interface DataPackErrorOptions extends HubErrorOptions {
  /** The request field at fault (`limit`, `names[2]`, `type`). */
  field?: string;
  /** The HTTP status an apiserver (KUBE_API) or the registry (REGISTRY) answered. */
  status?: number;
}

/** Every error @hub/datapack throws or returns. */
export class DataPackError extends HubError<DataPackErrorCode> {
  override readonly name = 'DataPackError';
  readonly field: string | undefined;
  readonly status: number | undefined;

  constructor(code: DataPackErrorCode, message: string, options: DataPackErrorOptions = {}) {
    super(code, message, options);
    this.field = options.field;
    this.status = options.status;
  }
}

/** Brand check for {@link DataPackError} (works across installed copies). */
export const isDataPackError = hubErrorGuard<DataPackError>('DataPackError');

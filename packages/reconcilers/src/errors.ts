import { HubError, type HubErrorOptions, hubErrorGuard } from '@hub/api-types/errors';

/**
 * Why a reconcile failed. Closed: adding a code is a minor change.
 * - `INVALID_OBJECT`: the object cannot be reconciled as written (terminal: fix the object).
 * - `DEPENDENCY_NOT_READY`: something the reconcile needs is not there yet (retryable).
 */
export type ReconcileErrorCode = 'INVALID_OBJECT' | 'DEPENDENCY_NOT_READY';

export interface ReconcileErrorOptions extends HubErrorOptions {
  /** The object the failure is about, e.g. `Repository labring.mysql`. */
  subject?: string;
}

/** A reconcile failure the runtime can classify: `retryable: false` is terminal, not requeued. */
export class ReconcileError extends HubError<ReconcileErrorCode> {
  override readonly name = 'ReconcileError';
  readonly subject: string | undefined;

  constructor(code: ReconcileErrorCode, message: string, options: ReconcileErrorOptions = {}) {
    super(code, message, { retryable: code === 'DEPENDENCY_NOT_READY', ...options });
    this.subject = options.subject;
  }
}

/** Brand guard for {@link ReconcileError}, safe across two installed copies of the package. */
export const isReconcileError = hubErrorGuard<ReconcileError>('ReconcileError');

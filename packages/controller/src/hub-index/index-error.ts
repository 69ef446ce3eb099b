import { HubError, hubErrorGuard } from '@hub/api-types/errors';

/** Closed set of reasons hub-index (and the periodic indexer) fail. */
export type IndexErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_CATALOGUABLE'
  | 'README_UNREADABLE'
  | 'METADATA_CONFIG_INVALID'
  | 'SOURCE_LIST_FAILED'
  | 'KUBERNETES_ERROR'
  | 'INSPECT_FAILED';

/** A failure of hub-index; `reference` names the image or repository when there is one. */
export class IndexError extends HubError<IndexErrorCode> {
  override readonly name = 'IndexError';
  readonly reference: string | undefined;
  /** HTTP status of a Kubernetes API failure. */
  readonly status: number | undefined;

  constructor(
    code: IndexErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; reference?: string; status?: number } = {},
  ) {
    super(code, message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      retryable: options.retryable ?? false,
    });
    this.reference = options.reference;
    this.status = options.status;
  }
}

/** Brand guard for {@link IndexError}. */
export const isIndexError = hubErrorGuard<IndexError>('IndexError');

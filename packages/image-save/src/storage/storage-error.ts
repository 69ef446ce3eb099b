import { HubError, hubErrorGuard } from '@hub/api-types/errors';

/** Closed set of reasons a storage operation fails. */
export type StorageErrorCode =
  | 'INVALID_DIGEST'
  | 'INVALID_REPOSITORY'
  | 'INVALID_TAG'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'BLOB_UNKNOWN'
  | 'BUSY'
  | 'ABORTED'
  | 'IO';

/** Whether trying the same storage operation again may help: only a held lock (another writer) may clear. */
export const STORAGE_ERROR_RETRYABLE: Readonly<Record<StorageErrorCode, boolean>> = {
  INVALID_DIGEST: false,
  INVALID_REPOSITORY: false,
  INVALID_TAG: false,
  DIGEST_MISMATCH: false,
  SIZE_MISMATCH: false,
  BLOB_UNKNOWN: false,
  BUSY: true,
  ABORTED: false,
  IO: false,
};

/** Error thrown by {@link RegistryStorage}; `code` says why, `path` names the file involved if any. */
export class StorageError extends HubError<StorageErrorCode> {
  override readonly name = 'StorageError';
  readonly path: string | undefined;
  readonly digest: string | undefined;

  constructor(
    code: StorageErrorCode,
    message: string,
    options: { cause?: unknown; path?: string; digest?: string } = {},
  ) {
    super(code, message, {
      retryable: STORAGE_ERROR_RETRYABLE[code],
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.path = options.path;
    this.digest = options.digest;
  }
}

/** Brand guard for {@link StorageError} (works across installed copies). */
export const isStorageError = hubErrorGuard<StorageError>('StorageError');

/** Closed set of reasons a storage operation fails. */
export type StorageErrorCode =
  | 'invalid-digest'
  | 'invalid-repository'
  | 'invalid-tag'
  | 'digest-mismatch'
  | 'size-mismatch'
  | 'blob-unknown'
  | 'busy'
  | 'aborted'
  | 'io';

/** Error thrown by {@link RegistryStorage}; `code` says why, `path` names the file involved if any. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly path: string | undefined;
  readonly digest: string | undefined;

  constructor(
    code: StorageErrorCode,
    message: string,
    options: { cause?: unknown; path?: string; digest?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.digest = options.digest;
  }
}

import { HubError, hubErrorGuard } from '@hub/api-types/errors';

/** Every failure @hub/kubepkg reports, as a closed set so callers can branch on `code`. */
export type KubePkgErrorCode =
  | 'INVALID_KUBEPKG'
  | 'UNSUPPORTED_SPEC'
  | 'INVALID_MANIFEST'
  | 'INVALID_ARGUMENT'
  | 'ARCHIVE_INVALID'
  | 'ARCHIVE_UNSAFE_PATH'
  | 'ARCHIVE_UNSUPPORTED_ENTRY'
  | 'ARCHIVE_DUPLICATE_ENTRY'
  | 'ARCHIVE_OVERSIZE_ENTRY'
  | 'ARCHIVE_TOO_MANY_ENTRIES'
  | 'ARCHIVE_UNLISTED_BLOB'
  | 'ARCHIVE_MISSING_BLOB'
  | 'ARCHIVE_SIZE_MISMATCH'
  | 'ARCHIVE_DIGEST_MISMATCH'
  | 'ARCHIVE_TRUNCATED'
  | 'ARCHIVE_MISSING_SPEC'
  | 'RESOLVE_FAILED'
  | 'BLOB_FETCH_FAILED'
  | 'BLOB_SIZE_MISMATCH'
  | 'BLOB_DIGEST_MISMATCH'
  | 'IMPORT_FAILED'
  | 'REPOSITORY_COLLISION'
  | 'PUSH_UNAUTHORIZED'
  | 'PUSH_REJECTED'
  | 'PUSH_INDEX_INCOMPLETE'
  | 'APPLY_FAILED'
  | 'APPLY_TIMEOUT'
  | 'DOWNGRADE_REFUSED'
  | 'CONTENT_CHANGED'
  | 'ABORTED';

/** Fields a KubePkgError may carry besides its message; bodies and server detail live here, never in `message`. */
export interface KubePkgErrorDetails {
  cause?: unknown;
  /** Whether trying the same operation again may succeed (default false). */
  retryable?: boolean;
  /** The archive entry, object key or image reference the error is about. */
  subject?: string;
  /** Validation issues, one per failing path. */
  issues?: readonly KubePkgIssue[];
  /** Extra machine-readable detail (e.g. an HTTP status or a Kubernetes API response body). */
  detail?: unknown;
}

/** One validation problem: a dotted/bracketed path into the input and what is wrong there. */
export interface KubePkgIssue {
  path: string;
  message: string;
  code: string;
}

/** The one error class of @hub/kubepkg; `code` tells what went wrong, `subject` names the input. */
export class KubePkgError extends HubError<KubePkgErrorCode> {
  override readonly name = 'KubePkgError';
  readonly subject: string | undefined;
  readonly issues: readonly KubePkgIssue[];
  readonly detail: unknown;

  constructor(code: KubePkgErrorCode, message: string, details: KubePkgErrorDetails = {}) {
    super(code, message, {
      ...(details.cause === undefined ? {} : { cause: details.cause }),
      retryable: details.retryable ?? false,
    });
    this.subject = details.subject;
    this.issues = details.issues ?? [];
    this.detail = details.detail;
  }
}

/** True for a KubePkgError, even one thrown by a second installed copy of this package (a brand check). */
export const isKubePkgError: (value: unknown) => value is KubePkgError =
  hubErrorGuard<KubePkgError>('KubePkgError');

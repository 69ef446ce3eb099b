/** Every failure @hub/kubepkg reports, as a closed set so callers can branch on `code`. */
export type KubePkgErrorCode =
  | 'INVALID_KUBEPKG'
  | 'INVALID_MANIFEST'
  | 'INVALID_ARGUMENT'
  | 'ARCHIVE_INVALID'
  | 'ARCHIVE_UNSAFE_PATH'
  | 'ARCHIVE_UNSUPPORTED_ENTRY'
  | 'ARCHIVE_DUPLICATE_ENTRY'
  | 'ARCHIVE_OVERSIZE_ENTRY'
  | 'ARCHIVE_UNLISTED_BLOB'
  | 'ARCHIVE_MISSING_BLOB'
  | 'ARCHIVE_DIGEST_MISMATCH'
  | 'ARCHIVE_TRUNCATED'
  | 'ARCHIVE_MISSING_SPEC'
  | 'RESOLVE_FAILED'
  | 'IMPORT_FAILED'
  | 'APPLY_FAILED'
  | 'APPLY_TIMEOUT'
  | 'ABORTED';

/** Fields a KubePkgError may carry besides its message; bodies and server detail live here, never in `message`. */
export interface KubePkgErrorDetails {
  cause?: unknown;
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

const BRAND = Symbol.for('@hub/kubepkg/KubePkgError');

/** The one error class of @hub/kubepkg; `code` tells what went wrong, `subject` names the input. */
export class KubePkgError extends Error {
  override readonly name = 'KubePkgError';
  readonly code: KubePkgErrorCode;
  readonly subject: string | undefined;
  readonly issues: readonly KubePkgIssue[];
  readonly detail: unknown;
  readonly [BRAND] = true;

  constructor(code: KubePkgErrorCode, message: string, details: KubePkgErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.subject = details.subject;
    this.issues = details.issues ?? [];
    this.detail = details.detail;
  }
}

/** True for a KubePkgError, even one thrown by a second installed copy of this package. */
export function isKubePkgError(value: unknown): value is KubePkgError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

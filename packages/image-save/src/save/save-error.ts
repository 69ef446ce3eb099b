import { HubError, hubErrorGuard, isHubError } from '@hub/api-types/errors';
import type { AuthErrorCode } from '../auth/auth-error.ts';
import type { RegistryErrorCode } from '../registry/registry-error.ts';
import type { StorageErrorCode } from '../storage/storage-error.ts';

/**
 * Closed set of reasons saving one image fails. A registry, auth or storage failure keeps its own code
 * (e.g. `HOST_NOT_FOUND`, `SCHEMA1_UNSUPPORTED`, `DOCKER_CONFIG_INVALID`), with the original as `cause`.
 */
export type SaveErrorCode =
  | 'INVALID_REFERENCE'
  | 'INVALID_OPTION'
  | 'INVALID_PLATFORM'
  | 'NOT_FOUND'
  | 'REPOSITORY_COLLISION'
  | 'PLATFORM_NOT_FOUND'
  | 'UNSUPPORTED_MANIFEST'
  | 'INTERNAL'
  | RegistryErrorCode
  | AuthErrorCode
  | StorageErrorCode;

/** Where a {@link SaveError} happened, beside the message. */
export interface SaveErrorDetails {
  /** The image reference as given. */
  reference?: string;
  /** The manifest or blob digest being fetched or stored, if any. */
  digest?: string;
  cause?: unknown;
  /** Default: the cause's `retryable`, else false. */
  retryable?: boolean;
}

/**
 * Why an image was not saved. `message` names the reference once and says what happened; `code` is the
 * specific reason (the underlying registry/auth/storage code where there is one), `cause` the original.
 */
export class SaveError extends HubError<SaveErrorCode> {
  override readonly name = 'SaveError';
  readonly reference: string | undefined;
  readonly digest: string | undefined;

  constructor(code: SaveErrorCode, message: string, details: SaveErrorDetails = {}) {
    const cause = details.cause;
    super(code, message, {
      retryable: details.retryable ?? (isHubError(cause) ? cause.retryable : false),
      ...(cause === undefined ? {} : { cause }),
    });
    this.reference = details.reference;
    this.digest = details.digest;
  }
}

/** Brand guard for {@link SaveError} (works across installed copies). */
export const isSaveError = hubErrorGuard<SaveError>('SaveError');

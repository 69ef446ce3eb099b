// The errors of @hub/api-types, on the shared base. No zod here: the reference subpath imports this file.
import { HubError, hubErrorGuard } from './errors/hub-error.ts';

/** Why an image reference or an imagehub name was rejected. */
export type ImageReferenceErrorCode =
  | 'EMPTY'
  | 'INVALID_FORMAT'
  | 'UPPERCASE'
  | 'NAME_TOO_LONG'
  | 'INVALID_TAG'
  | 'INVALID_DIGEST'
  | 'INVALID_REGISTRY'
  | 'INVALID_REPOSITORY'
  | 'INVALID_ORGANIZATION'
  | 'AMBIGUOUS_IDENTIFIER'
  | 'MISSING_ORGANIZATION'
  | 'MISSING_REPOSITORY'
  | 'MISSING_TAG'
  | 'TOO_MANY_SEGMENTS'
  | 'REGISTRY_NOT_ALLOWED'
  | 'DIGEST_NOT_ALLOWED';

/** What a parse error carries besides its code and message. */
export interface InputErrorDetails {
  /** The string that was parsed, unchanged. */
  input: string;
  cause?: unknown;
}

/** A rejected image reference (`docker.io/library/nginx:1.27`) or imagehub name (`org/repo:tag`). */
export class ImageReferenceError extends HubError<ImageReferenceErrorCode> {
  override readonly name = 'ImageReferenceError';
  /** The string that was parsed, unchanged. */
  readonly input: string;

  constructor(code: ImageReferenceErrorCode, message: string, details: InputErrorDetails) {
    // A malformed input stays malformed: never retryable.
    super(code, message, details.cause === undefined ? {} : { cause: details.cause });
    this.input = details.input;
  }
}

/** Brand guard for {@link ImageReferenceError} (works across installed copies). */
export const isImageReferenceError = hubErrorGuard<ImageReferenceError>('ImageReferenceError');

/** Why a value other than a reference was rejected. */
export type ApiTypesErrorCode = 'INVALID_DURATION' | 'DURATION_OVERFLOW';

/** A rejected value in @hub/api-types that is not an image reference (e.g. a Go duration). */
export class ApiTypesError extends HubError<ApiTypesErrorCode> {
  override readonly name = 'ApiTypesError';
  /** The string that was parsed, unchanged. */
  readonly input: string;

  constructor(code: ApiTypesErrorCode, message: string, details: InputErrorDetails) {
    super(code, message, details.cause === undefined ? {} : { cause: details.cause });
    this.input = details.input;
  }
}

/** Brand guard for {@link ApiTypesError} (works across installed copies). */
export const isApiTypesError = hubErrorGuard<ApiTypesError>('ApiTypesError');

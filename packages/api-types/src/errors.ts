/** Why an image reference or an imagehub name was rejected. */
export type ImageReferenceErrorCode =
  | 'empty'
  | 'invalid-format'
  | 'uppercase'
  | 'name-too-long'
  | 'invalid-tag'
  | 'invalid-digest'
  | 'invalid-registry'
  | 'invalid-repository'
  | 'invalid-organization'
  | 'ambiguous-identifier'
  | 'missing-organization'
  | 'missing-repository'
  | 'missing-tag'
  | 'too-many-segments'
  | 'registry-not-allowed'
  | 'digest-not-allowed';

/** A rejected image reference (`docker.io/library/nginx:1.27`) or imagehub name (`org/repo:tag`). */
export class ImageReferenceError extends Error {
  override readonly name = 'ImageReferenceError';
  /** Machine-readable reason; stable across releases. */
  readonly code: ImageReferenceErrorCode;
  /** The string that was parsed, unchanged. */
  readonly input: string;

  constructor(code: ImageReferenceErrorCode, input: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.input = input;
  }
}

/** Why a value other than a reference was rejected. */
export type ApiTypesErrorCode = 'invalid-duration' | 'duration-overflow';

/** A rejected value in @hub/api-types that is not an image reference (e.g. a Go duration). */
export class ApiTypesError extends Error {
  override readonly name = 'ApiTypesError';
  readonly code: ApiTypesErrorCode;
  /** The string that was parsed, unchanged. */
  readonly input: string;

  constructor(code: ApiTypesErrorCode, input: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.input = input;
  }
}

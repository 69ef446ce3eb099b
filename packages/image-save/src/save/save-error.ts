/** Closed set of reasons saving one image fails. */
export type SaveErrorCode =
  | 'invalid-reference'
  | 'invalid-option'
  | 'not-found'
  | 'repository-collision'
  | 'platform-not-found'
  | 'unsupported-manifest'
  | 'registry'
  | 'storage'
  | 'aborted';

/** Error describing why an image was not saved; `reference` names the input, `cause` holds the underlying error. */
export class SaveError extends Error {
  override readonly name = 'SaveError';
  readonly code: SaveErrorCode;
  readonly reference: string | undefined;

  constructor(code: SaveErrorCode, message: string, details: { reference?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.reference = details.reference;
  }
}

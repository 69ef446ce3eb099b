import { HubError, hubErrorGuard } from '@hub/api-types/errors';

/** Closed set of reasons {@link inspectImage} fails. */
export type InspectErrorCode =
  | 'INVALID_REFERENCE'
  | 'INVALID_PLATFORM'
  | 'INVALID_OPTION'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'PLATFORM_NOT_FOUND'
  | 'NOT_AN_IMAGE'
  | 'CONFIG_INVALID'
  | 'LAYER_INVALID'
  | 'REGISTRY_UNAVAILABLE'
  | 'REGISTRY_ERROR'
  | 'STORAGE_ERROR'
  | 'TIMEOUT'
  | 'ABORTED';

/** Where an {@link InspectError} happened, beside the message. */
export interface InspectErrorDetails {
  cause?: unknown;
  retryable?: boolean;
  /** The reference being inspected, as given. */
  reference?: string;
  /** The blob (config or layer) involved, if any. */
  digest?: string;
}

/** Error of {@link inspectImage}: `code` says why, `reference` and `digest` say where. */
export class InspectError extends HubError<InspectErrorCode> {
  override readonly name = 'InspectError';
  readonly reference: string | undefined;
  readonly digest: string | undefined;

  constructor(code: InspectErrorCode, message: string, details: InspectErrorDetails = {}) {
    super(code, message, {
      ...(details.cause === undefined ? {} : { cause: details.cause }),
      retryable: details.retryable ?? false,
    });
    this.reference = details.reference;
    this.digest = details.digest;
  }
}

/** Brand guard for {@link InspectError} (works across installed copies). */
export const isInspectError = hubErrorGuard<InspectError>('InspectError');

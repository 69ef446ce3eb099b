import { toHubError } from '@hub/api-types/errors';
import type { AdmissionDecision, AdmissionRequest, JsonPatchOperation } from '../client.ts';
import { asRecord } from './request-fields.ts';

export function allow(
  patch?: readonly JsonPatchOperation[],
  warnings?: readonly string[],
): AdmissionDecision {
  return {
    allowed: true,
    ...(patch !== undefined && patch.length > 0 ? { patch } : {}),
    ...(warnings !== undefined && warnings.length > 0 ? { warnings } : {}),
  };
}

/** A denial: 400 malformed request, 403 forbidden, 422 invalid object. */
export function deny(code: 400 | 403 | 422 | 500, message: string): AdmissionDecision {
  return { allowed: false, code, message };
}

/**
 * Wraps a review so that no input makes it throw: a request that is not even an object is a 400,
 * an unexpected failure a 500 denial naming the webhook (no stack, no request body).
 */
export function safeReview<C>(
  webhook: string,
  review: (request: AdmissionRequest, context: C) => AdmissionDecision,
): (request: AdmissionRequest, context: C) => AdmissionDecision {
  return (request, context) => {
    if (asRecord(request) === undefined)
      return deny(400, `${webhook}: the admission request is not an object`);
    try {
      return review(request, context);
    } catch (error) {
      return deny(
        500,
        `${webhook}: internal error reviewing the request: ${toHubError(error).message.slice(0, 200)}`,
      );
    }
  };
}

import { isHubError, toHubError } from '@hub/api-types/errors';
import { isRegistryError } from '../registry/registry-error.ts';
import { isSaveError, SaveError, type SaveErrorCode } from './save-error.ts';

const MISSING = new Set(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN']);

/**
 * The per-image error for any failure: a SaveError passes through; a registry, auth or storage error
 * keeps its own code (a missing manifest or repository becomes NOT_FOUND) with the original as `cause`;
 * the message names the reference once, then what happened (the digest, the server's answer, the tries).
 */
export function toSaveError(reference: string, error: unknown, digest?: string): SaveError {
  if (isSaveError(error)) return error;
  const hub = toHubError(error);
  const code = (
    MISSING.has(hub.code) ? 'NOT_FOUND' : isHubError(error) || hub.code === 'ABORTED' ? hub.code : 'INTERNAL'
  ) as SaveErrorCode;
  const at = digest ?? (isRegistryError(error) ? error.reference : undefined);
  return new SaveError(code, `${reference}: ${hub.message}`, {
    reference,
    ...(at ? { digest: at } : {}),
    cause: error,
  });
}

import { DATA_PACK_TYPES, type DataPackType, parseImageHubName } from '@hub/api-types';
import { DataPackError } from '../errors.ts';

/** Most names one DataPack request may carry (a store page asks for tens). */
export const MAX_DATA_PACK_NAMES = 1000;

/** A checked DataPack request. */
export interface ValidDataPackRequest {
  type: DataPackType;
  names: string[];
}

/**
 * Checks `{ type, names }` from an untrusted caller: throws INVALID_REQUEST naming the field
 * (`type`, `names`, `names[3]`) and what to write instead. `type` defaults to `base`.
 */
export function validateDataPackRequest(value: unknown): ValidDataPackRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataPackError(
      'INVALID_REQUEST',
      'the body must be a JSON object { "type": "grid", "names": [...] }.',
      {
        field: 'body',
      },
    );
  }
  const { type = 'base', names } = value as { type?: unknown; names?: unknown };
  if (typeof type !== 'string' || !(DATA_PACK_TYPES as readonly string[]).includes(type)) {
    throw new DataPackError('INVALID_REQUEST', `type must be one of ${DATA_PACK_TYPES.join(', ')}.`, {
      field: 'type',
    });
  }
  if (!Array.isArray(names)) {
    throw new DataPackError('INVALID_REQUEST', 'names must be an array of org/repo:tag strings.', {
      field: 'names',
    });
  }
  if (names.length === 0 || names.length > MAX_DATA_PACK_NAMES) {
    throw new DataPackError('INVALID_REQUEST', `names must hold 1 to ${MAX_DATA_PACK_NAMES} names.`, {
      field: 'names',
    });
  }
  const checked: string[] = [];
  for (const [index, name] of names.entries()) {
    const field = `names[${index}]`;
    if (typeof name !== 'string') {
      throw new DataPackError('INVALID_REQUEST', `${field} must be a string org/repo:tag.`, { field });
    }
    const parsed = parseImageHubName(name);
    if (!parsed.success) {
      throw new DataPackError('INVALID_REQUEST', `${field}: ${parsed.error.message}`, {
        field,
        cause: parsed.error,
      });
    }
    checked.push(name);
  }
  return { type: type as DataPackType, names: checked };
}

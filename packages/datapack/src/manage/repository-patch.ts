import { ICON_MAX_LENGTH, README_MAX_BYTES } from '@hub/api-types';
import { DataPackError } from '../errors.ts';

/**
 * The fields `PATCH /repositories/{org}/{repo}` takes. `null` clears an override, so reads fall
 * back to the latest Image again; `isPrivate` is the Repository's own flag.
 */
export interface RepositoryPatch {
  description?: string | null;
  keywords?: string[] | null;
  docs?: string | null;
  icon?: string | null;
  isPrivate?: boolean;
}

// The Repository CRD's limits (packages/api-types/src/schema/repository.ts), checked here so a
// bad edit is a 400 naming the field rather than the apiserver's 422.
const MAX_DESCRIPTION = 4096;
const MAX_KEYWORDS = 32;
const MAX_KEYWORD = 64;

function invalid(field: string, message: string): never {
  throw new DataPackError('INVALID_REQUEST', `${field} ${message}`, { field });
}

function text(body: Record<string, unknown>, field: string, max: number): string | null | undefined {
  const value = body[field];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') invalid(field, 'must be a string or null.');
  if (value.length > max) invalid(field, `must be at most ${max} characters.`);
  return value;
}

function keywords(body: Record<string, unknown>): string[] | null | undefined {
  const value = body.keywords;
  if (value === undefined || value === null) return value;
  if (!Array.isArray(value)) invalid('keywords', 'must be an array of strings or null.');
  if (value.length > MAX_KEYWORDS) invalid('keywords', `must have at most ${MAX_KEYWORDS} entries.`);
  return value.map((keyword, index) => {
    if (typeof keyword !== 'string' || keyword.trim() === '')
      invalid(`keywords[${index}]`, 'must be a non-empty string.');
    if (keyword.length > MAX_KEYWORD)
      invalid(`keywords[${index}]`, `must be at most ${MAX_KEYWORD} characters.`);
    return keyword.trim();
  });
}

/** Checks a PATCH body: an object with only the known fields, each of its type. */
export function validateRepositoryPatch(body: unknown): RepositoryPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    invalid('body', 'must be a JSON object.');
  const record = body as Record<string, unknown>;
  const known = new Set(['description', 'keywords', 'docs', 'icon', 'isPrivate']);
  for (const key of Object.keys(record)) {
    if (!known.has(key))
      invalid(key, 'is not a field of a repository edit (description, keywords, docs, icon, isPrivate).');
  }
  if (record.isPrivate !== undefined && typeof record.isPrivate !== 'boolean')
    invalid('isPrivate', 'must be true or false.');
  const patch: RepositoryPatch = {};
  const description = text(record, 'description', MAX_DESCRIPTION);
  if (description !== undefined) patch.description = description;
  const docs = text(record, 'docs', README_MAX_BYTES);
  if (docs !== undefined) patch.docs = docs;
  const icon = text(record, 'icon', ICON_MAX_LENGTH);
  if (icon !== undefined) patch.icon = icon;
  const words = keywords(record);
  if (words !== undefined) patch.keywords = words;
  if (typeof record.isPrivate === 'boolean') patch.isPrivate = record.isPrivate;
  if (Object.keys(patch).length === 0) invalid('body', 'names no field to change.');
  return patch;
}

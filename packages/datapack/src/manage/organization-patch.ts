import { uniqueManagers } from '@hub/api-types/access';
import { DataPackError } from '../errors.ts';

/** `PATCH /organizations/{org}`: the full new list of managers (the creator stays a manager). */
export interface OrganizationPatch {
  managers: string[];
}

const MAX_MANAGERS = 256;
// A Kubernetes username or `group:<name>`; the apiserver caps names far below this.
const MAX_ENTRY = 512;

function invalid(field: string, message: string): never {
  throw new DataPackError('INVALID_REQUEST', `${field} ${message}`, { field });
}

/** Checks a PATCH body: `{ managers: string[] }` and nothing else. */
export function validateOrganizationPatch(body: unknown): OrganizationPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    invalid('body', 'must be a JSON object.');
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'managers') invalid(key, 'is not a field of an organization edit (managers).');
  }
  const managers = record.managers;
  if (!Array.isArray(managers)) invalid('managers', 'must be an array of usernames.');
  if (managers.length > MAX_MANAGERS) invalid('managers', `must have at most ${MAX_MANAGERS} entries.`);
  managers.forEach((entry, index) => {
    if (
      typeof entry !== 'string' ||
      entry.trim() === '' ||
      entry.length > MAX_ENTRY ||
      /\s/.test(entry.trim())
    ) {
      invalid(`managers[${index}]`, 'must be a username or group:<name> without spaces.');
    }
  });
  return { managers: uniqueManagers(managers.map((entry: string) => entry.trim())) };
}

// Defensive readers over an AdmissionRequest: the webhook must answer any input, so nothing here
// trusts a field's type.
import type { AdmissionRequest } from '../client.ts';
import type { Requester } from '../permissions/identity.ts';

export type JsonRecord = Record<string, unknown>;

export function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonRecord)
    : undefined;
}

/** The string at `path` inside `value`, or undefined. */
export function stringAt(value: unknown, ...path: string[]): string | undefined {
  let current: unknown = value;
  for (const step of path) current = asRecord(current)?.[step];
  return typeof current === 'string' ? current : undefined;
}

/** The value at `path` inside `value`, or undefined. */
export function valueAt(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const step of path) current = asRecord(current)?.[step];
  return current;
}

/** The requester, with only well-typed fields kept. */
export function requesterOf(request: AdmissionRequest): Requester {
  const info = asRecord(asRecord(request)?.userInfo);
  const username = typeof info?.username === 'string' ? info.username : undefined;
  const groups = Array.isArray(info?.groups)
    ? info.groups.filter((g): g is string => typeof g === 'string')
    : [];
  return { username, groups };
}

/** How a requester is named in messages. */
export function describeRequester(requester: Requester): string {
  return requester.username !== undefined && requester.username.length > 0
    ? `user "${requester.username}"`
    : 'an anonymous user';
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export function operationOf(request: AdmissionRequest): Operation | undefined {
  const op = asRecord(request)?.operation;
  return op === 'CREATE' || op === 'UPDATE' || op === 'DELETE' || op === 'CONNECT' ? op : undefined;
}

/** The object a request is about: the new one, or on DELETE the old one. */
export function subjectObject(request: AdmissionRequest, operation: Operation): JsonRecord | undefined {
  const record = asRecord(request);
  return asRecord(operation === 'DELETE' ? record?.oldObject : record?.object);
}

export function kindOf(request: AdmissionRequest): string | undefined {
  return stringAt(request, 'kind', 'kind');
}

import type { JsonPatchOperation } from '../client.ts';
import { asRecord, type JsonRecord } from './request-fields.ts';

/** One RFC 6901 reference token: `~` → `~0`, `/` → `~1` (label keys contain `/`). */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function pointer(path: readonly string[]): string {
  return path.map((token) => `/${escapePointerToken(token)}`).join('');
}

/**
 * Operations that make `path` (inside `object`) hold `value`: `add` of the first missing parent
 * with the rest nested inside it, or `add` of the field itself (which replaces an existing member).
 */
export function setValue(object: JsonRecord, path: readonly string[], value: unknown): JsonPatchOperation[] {
  let current: JsonRecord = object;
  for (let depth = 0; depth < path.length - 1; depth++) {
    const next = asRecord(current[path[depth] as string]);
    if (next === undefined) {
      // Build the missing subtree in one operation.
      let nested: unknown = value;
      for (let i = path.length - 1; i > depth; i--) nested = { [path[i] as string]: nested };
      return [{ op: 'add', path: pointer(path.slice(0, depth + 1)), value: nested }];
    }
    current = next;
  }
  return [{ op: 'add', path: pointer(path), value }];
}

/** Operations that make every entry of `entries` present in the string map at `path`. */
export function setMapEntries(
  object: JsonRecord,
  path: readonly string[],
  entries: Readonly<Record<string, string>>,
): JsonPatchOperation[] {
  let current: unknown = object;
  for (const step of path) current = asRecord(current)?.[step];
  const map = asRecord(current);
  const missing = Object.entries(entries).filter(([key, value]) => map?.[key] !== value);
  if (missing.length === 0) return [];
  if (map === undefined) return setValue(object, path, Object.fromEntries(missing));
  return missing.map(([key, value]) => ({ op: 'add', path: pointer([...path, key]), value }));
}

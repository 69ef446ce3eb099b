/** The content part of a DataPack spec as stored: anything, since anyone may have written it. */
export interface StoredPackSpec {
  readonly type?: unknown;
  readonly names?: unknown;
}

/**
 * True when a stored pack's spec asks for the same content as the request: the same `type`
 * (`base` when unset) and the same names, as a set. Order, duplicates and `expireTime` do not
 * change a pack's answer, so they do not matter here either.
 */
export function packSpecMatches(
  stored: StoredPackSpec | undefined,
  request: { readonly type: string; readonly names: readonly string[] },
): boolean {
  if ((stored?.type ?? 'base') !== request.type) return false;
  const names = stored?.names;
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) return false;
  const asked = new Set(request.names);
  const held = new Set<string>(names);
  return held.size === asked.size && [...asked].every((name) => held.has(name));
}

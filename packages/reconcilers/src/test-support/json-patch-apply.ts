// A strict RFC 6902 applier for tests (add, replace, remove on objects): it rejects any operation
// whose parent is missing or not an object, so a test proves a webhook's patch would apply.
import type { JsonPatchOperation } from '../client.ts';

function unescapeToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

export function applyJsonPatch<T>(document: T, patch: readonly JsonPatchOperation[]): T {
  const root = structuredClone(document) as unknown;
  for (const op of patch) {
    if (!op.path.startsWith('/')) throw new Error(`path ${op.path} does not start with /`);
    const tokens = op.path.slice(1).split('/').map(unescapeToken);
    let parent: unknown = root;
    for (const token of tokens.slice(0, -1)) {
      if (typeof parent !== 'object' || parent === null || Array.isArray(parent) || !(token in parent)) {
        throw new Error(`${op.op} ${op.path}: parent ${token} is missing`);
      }
      parent = (parent as Record<string, unknown>)[token];
    }
    if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) {
      throw new Error(`${op.op} ${op.path}: parent is not an object`);
    }
    const target = parent as Record<string, unknown>;
    const last = tokens[tokens.length - 1] as string;
    if (op.op === 'remove' || op.op === 'replace') {
      if (!(last in target)) throw new Error(`${op.op} ${op.path}: no such member`);
    }
    if (op.op === 'remove') delete target[last];
    else target[last] = structuredClone(op.value);
  }
  return root as T;
}

import { RegistryAuthError } from './errors.ts';

/** One resource scope of a token request: `repository:org/repo:pull,push`. */
export interface ResourceScope {
  /** `repository`, `registry`, ... */
  type: string;
  /** `repository(plugin)` has class `plugin`. */
  class?: string;
  name: string;
  actions: readonly string[];
}

/** Limits that keep one request cheap; a client never needs more. */
export const MAX_SCOPES = 32;
const MAX_SCOPE_LENGTH = 512;
const TYPE = /^([a-z0-9]+)(?:\(([a-z0-9]+)\))?$/;
const ACTION = /^(?:[a-z]+|\*)$/;

/**
 * Parses one scope string (the distribution token spec's grammar). The name sits between the first and the
 * last `:`, so names with a `:` (a host with port) survive. Throws INVALID_REQUEST naming the scope.
 */
export function parseResourceScope(input: string): ResourceScope {
  const first = input.indexOf(':');
  const last = input.lastIndexOf(':');
  const invalid = (why: string) =>
    new RegistryAuthError(
      'INVALID_REQUEST',
      `scope ${JSON.stringify(input.slice(0, 100))} is invalid: ${why}; write type:name:actions, e.g. repository:org/repo:pull,push`,
      { status: 400 },
    );
  if (input.length > MAX_SCOPE_LENGTH) throw invalid(`longer than ${MAX_SCOPE_LENGTH} characters`);
  if (first <= 0 || last === first) throw invalid('it needs three parts');
  const typeMatch = TYPE.exec(input.slice(0, first));
  if (!typeMatch?.[1]) throw invalid('the resource type must be lower-case letters and digits');
  const name = input.slice(first + 1, last);
  if (name.length === 0) throw invalid('the resource name is empty');
  const actions = input
    .slice(last + 1)
    .split(',')
    .filter((action) => action.length > 0);
  if (actions.length === 0 || !actions.every((action) => ACTION.test(action))) {
    throw invalid('actions are comma-separated words such as pull,push');
  }
  return {
    type: typeMatch[1],
    ...(typeMatch[2] ? { class: typeMatch[2] } : {}),
    name,
    actions: [...new Set(actions)],
  };
}

/**
 * Parses every `scope` query parameter (each may hold several space-separated scopes, as the OAuth2 form
 * does) and merges the actions of repeated resources, keeping first-seen order.
 */
export function parseScopes(values: readonly string[]): ResourceScope[] {
  const merged = new Map<string, ResourceScope>();
  for (const value of values) {
    for (const part of value.split(' ')) {
      if (part.length === 0) continue;
      const scope = parseResourceScope(part);
      const key = `${scope.type}(${scope.class ?? ''}):${scope.name}`;
      const seen = merged.get(key);
      merged.set(key, seen ? { ...seen, actions: [...new Set([...seen.actions, ...scope.actions])] } : scope);
      if (merged.size > MAX_SCOPES) {
        throw new RegistryAuthError(
          'INVALID_REQUEST',
          `a token request may name at most ${MAX_SCOPES} scopes`,
          {
            status: 400,
          },
        );
      }
    }
  }
  return [...merged.values()];
}

/** Writes a scope back in the spec's grammar (logs, tests). */
export function formatResourceScope(scope: ResourceScope): string {
  const type = scope.class ? `${scope.type}(${scope.class})` : scope.type;
  return `${type}:${scope.name}:${scope.actions.join(',')}`;
}

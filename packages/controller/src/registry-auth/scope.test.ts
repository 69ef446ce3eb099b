import { describe, expect, it } from 'vitest';
import { isRegistryAuthError } from './errors.ts';
import { formatResourceScope, MAX_SCOPES, parseResourceScope, parseScopes } from './scope.ts';

describe('parseResourceScope', () => {
  it('reads type, name and actions', () => {
    expect(parseResourceScope('repository:org/repo:pull,push')).toEqual({
      type: 'repository',
      name: 'org/repo',
      actions: ['pull', 'push'],
    });
  });

  it('keeps a name with a colon whole and reads a resource class', () => {
    expect(parseResourceScope('repository(plugin):localhost:5000/a/b:pull')).toEqual({
      type: 'repository',
      class: 'plugin',
      name: 'localhost:5000/a/b',
      actions: ['pull'],
    });
    expect(parseResourceScope('registry:catalog:*').actions).toEqual(['*']);
  });

  it.each([
    'repository',
    'repository:org/repo',
    ':org/repo:pull',
    'repository::pull',
    'repository:org/repo:',
    'Repository:org/repo:pull',
    'repository:org/repo:pull;rm',
    `repository:${'a'.repeat(600)}:pull`,
  ])('rejects %j with INVALID_REQUEST (400)', (input) => {
    let caught: unknown;
    try {
      parseResourceScope(input);
    } catch (error) {
      caught = error;
    }
    expect(isRegistryAuthError(caught) && caught.code === 'INVALID_REQUEST' && caught.status === 400).toBe(
      true,
    );
  });
});

describe('parseScopes', () => {
  it('splits space-separated scopes and merges repeated resources', () => {
    const scopes = parseScopes(['repository:a/b:pull repository:c/d:push', 'repository:a/b:push,pull', '']);
    expect(scopes.map(formatResourceScope)).toEqual(['repository:a/b:pull,push', 'repository:c/d:push']);
  });

  it('refuses more than MAX_SCOPES resources', () => {
    const many = Array.from({ length: MAX_SCOPES + 1 }, (_, i) => `repository:o/r${i}:pull`);
    expect(() => parseScopes(many)).toThrow(/at most/);
    expect(parseScopes(many.slice(0, MAX_SCOPES))).toHaveLength(MAX_SCOPES);
  });
});

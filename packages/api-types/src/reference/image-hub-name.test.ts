import {
  formatImageHubName,
  ImageReferenceError,
  mustParseImageHubName,
  parseImageHubName,
  parseRepositoryName,
} from '@hub/api-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('parseImageHubName', () => {
  it.each([
    ['labring/mysql:v8.0.31', { organization: 'labring', repository: 'mysql', tag: 'v8.0.31' }],
    ['a.b/c:d', { organization: 'a.b', repository: 'c', tag: 'd' }],
    ['a/b.c:d', { organization: 'a', repository: 'b.c', tag: 'd' }],
    ['labring/cert-manager:v1.8.0', { organization: 'labring', repository: 'cert-manager', tag: 'v1.8.0' }],
    ['o__x/r--y:_T', { organization: 'o__x', repository: 'r--y', tag: '_T' }],
  ])('%s', (input, expected) => {
    expect(parseImageHubName(input)).toEqual({ success: true, data: expected });
  });

  // The original's crash names and other tricky inputs.
  it.each([
    ['', 'EMPTY'],
    ['labring', 'INVALID_FORMAT'],
    ['labring:v1', 'INVALID_FORMAT'],
    ['a/:b', 'MISSING_REPOSITORY'],
    ['/x:y', 'MISSING_ORGANIZATION'],
    ['/:', 'MISSING_ORGANIZATION'],
    ['labring/mysql', 'MISSING_TAG'],
    ['labring/mysql:', 'MISSING_TAG'],
    ['Labring/mysql:v1', 'UPPERCASE'],
    ['labring/MySQL:v1', 'UPPERCASE'],
    ['a/b/c:d', 'TOO_MANY_SEGMENTS'],
    ['docker.io/a/b:c', 'REGISTRY_NOT_ALLOWED'],
    ['localhost:5000/a/b:c', 'REGISTRY_NOT_ALLOWED'],
    ['a/b:c@sha256:00', 'DIGEST_NOT_ALLOWED'],
    ['a/b:c:d', 'INVALID_TAG'],
    ['a/b:-x', 'INVALID_TAG'],
    ['a-/b:c', 'INVALID_ORGANIZATION'],
    ['a/b_:c', 'INVALID_REPOSITORY'],
    ['a/b c:d', 'INVALID_REPOSITORY'],
    [`${'o'.repeat(200)}/${'r'.repeat(55)}:t`, 'NAME_TOO_LONG'],
  ])('%j → %s', (input, code) => {
    const result = parseImageHubName(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error).toBeInstanceOf(ImageReferenceError);
    expect(result.error.code).toBe(code);
    expect(result.error.input).toBe(input);
    expect(result.error.message).toContain(input.slice(0, 20));
  });

  it('accepts organization/repository of exactly 255 characters', () => {
    expect(parseImageHubName(`${'o'.repeat(200)}/${'r'.repeat(54)}:t`).success).toBe(true);
  });

  it('mustParseImageHubName throws the typed error', () => {
    expect(() => mustParseImageHubName('labring')).toThrow(ImageReferenceError);
  });

  it('round-trips through formatImageHubName', () => {
    const component = fc.stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+){0,3}$/);
    const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,30}$/);
    fc.assert(
      fc.property(fc.record({ organization: component, repository: component, tag }), (name) => {
        expect(parseImageHubName(formatImageHubName(name))).toEqual({ success: true, data: name });
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseRepositoryName', () => {
  it('parses org/repo', () => {
    expect(parseRepositoryName('labring/mysql')).toEqual({
      success: true,
      data: { organization: 'labring', repository: 'mysql' },
    });
  });
  it.each([
    ['labring', 'INVALID_FORMAT'],
    ['labring/mysql:v1', 'INVALID_FORMAT'],
    ['a/', 'MISSING_REPOSITORY'],
    ['/b', 'MISSING_ORGANIZATION'],
    ['A/b', 'UPPERCASE'],
  ])('%j → %s', (input, code) => {
    const result = parseRepositoryName(input);
    expect(result.success ? undefined : result.error.code).toBe(code);
  });
});

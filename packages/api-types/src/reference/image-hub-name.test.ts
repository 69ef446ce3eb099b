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
    ['', 'empty'],
    ['labring', 'invalid-format'],
    ['labring:v1', 'invalid-format'],
    ['a/:b', 'missing-repository'],
    ['/x:y', 'missing-organization'],
    ['/:', 'missing-organization'],
    ['labring/mysql', 'missing-tag'],
    ['labring/mysql:', 'missing-tag'],
    ['Labring/mysql:v1', 'uppercase'],
    ['labring/MySQL:v1', 'uppercase'],
    ['a/b/c:d', 'too-many-segments'],
    ['docker.io/a/b:c', 'registry-not-allowed'],
    ['localhost:5000/a/b:c', 'registry-not-allowed'],
    ['a/b:c@sha256:00', 'digest-not-allowed'],
    ['a/b:c:d', 'invalid-tag'],
    ['a/b:-x', 'invalid-tag'],
    ['a-/b:c', 'invalid-organization'],
    ['a/b_:c', 'invalid-repository'],
    ['a/b c:d', 'invalid-repository'],
    [`${'o'.repeat(200)}/${'r'.repeat(55)}:t`, 'name-too-long'],
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
    ['labring', 'invalid-format'],
    ['labring/mysql:v1', 'invalid-format'],
    ['a/', 'missing-repository'],
    ['/b', 'missing-organization'],
    ['A/b', 'uppercase'],
  ])('%j → %s', (input, code) => {
    const result = parseRepositoryName(input);
    expect(result.success ? undefined : result.error.code).toBe(code);
  });
});

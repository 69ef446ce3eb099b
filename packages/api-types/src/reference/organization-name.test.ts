import { parseOrganizationName, parseRepositoryName } from '@hub/api-types';
import { describe, expect, it } from 'vitest';

describe('parseOrganizationName', () => {
  it.each(['labring', 'a.b', 'o__x', 'r--y', 'x'.repeat(253)])('accepts %s', (input) => {
    expect(parseOrganizationName(input)).toEqual({ success: true, data: input });
    expect(parseRepositoryName(`${input}/r`).success).toBe(input.length <= 253);
  });

  it.each([
    ['', 'missing-organization'],
    ['Labring', 'uppercase'],
    ['labring/mysql', 'invalid-format'],
    ['a:b', 'invalid-format'],
    ['-x', 'invalid-organization'],
    ['x'.repeat(254), 'name-too-long'],
  ])('rejects %j with %s', (input, code) => {
    const result = parseOrganizationName(input);
    expect(result.success ? 'accepted' : result.error.code).toBe(code);
  });
});

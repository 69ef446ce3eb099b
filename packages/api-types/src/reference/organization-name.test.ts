import { parseOrganizationName, parseRepositoryName } from '@hub/api-types';
import { describe, expect, it } from 'vitest';

describe('parseOrganizationName', () => {
  it.each(['labring', 'a.b', 'o__x', 'r--y', 'x'.repeat(253)])('accepts %s', (input) => {
    expect(parseOrganizationName(input)).toEqual({ success: true, data: input });
    expect(parseRepositoryName(`${input}/r`).success).toBe(input.length <= 253);
  });

  it.each([
    ['', 'MISSING_ORGANIZATION'],
    ['Labring', 'UPPERCASE'],
    ['labring/mysql', 'INVALID_FORMAT'],
    ['a:b', 'INVALID_FORMAT'],
    ['-x', 'INVALID_ORGANIZATION'],
    ['x'.repeat(254), 'NAME_TOO_LONG'],
  ])('rejects %j with %s', (input, code) => {
    const result = parseOrganizationName(input);
    expect(result.success ? 'accepted' : result.error.code).toBe(code);
  });
});

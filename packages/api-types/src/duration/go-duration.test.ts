import { ApiTypesError, parseGoDuration } from '@hub/api-types';
import { describe, expect, it } from 'vitest';

describe('parseGoDuration', () => {
  it.each([
    ['2h', 7_200_000],
    ['120m', 7_200_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['1.s', 1_000],
    ['0', 0],
    ['+0', 0],
    ['-5m', -300_000],
    ['300ms', 300],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1500μs', 1.5],
    ['1000000ns', 1],
    ['1h1m1s1ms', 3_661_001],
    ['2562047h47m16.854775807s', 9_223_372_036_854.775],
  ])('%s → %d ms', (input, ms) => {
    const result = parseGoDuration(input);
    expect(result.success).toBe(true);
    if (result.success) expect(result.data).toBeCloseTo(ms, 6);
  });

  it.each([
    ['', 'INVALID_DURATION'],
    ['1d', 'INVALID_DURATION'],
    ['2', 'INVALID_DURATION'],
    ['h', 'INVALID_DURATION'],
    ['.s', 'INVALID_DURATION'],
    ['1h 30m', 'INVALID_DURATION'],
    ['2H', 'INVALID_DURATION'],
    ['2562048h', 'DURATION_OVERFLOW'],
    ['9223372036854775808ns', 'DURATION_OVERFLOW'],
  ])('%j → %s', (input, code) => {
    const result = parseGoDuration(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error).toBeInstanceOf(ApiTypesError);
    expect(result.error.code).toBe(code);
    expect(result.error.input).toBe(input);
  });

  it('accepts the most negative duration, like Go', () => {
    expect(parseGoDuration('-9223372036854775808ns').success).toBe(true);
  });
});

import type { TagData } from '@hub/api-types';
import { compareTagNamesNaturally, compareTagsNewestFirst } from '@hub/reconcilers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('compareTagNamesNaturally', () => {
  it.each([
    ['v9', 'v10'],
    ['v8.0.25', 'v8.0.31'],
    ['1.9', '1.10'],
    ['v1', 'v1.0'],
  ])('%s < %s', (a, b) => {
    expect(compareTagNamesNaturally(a, b)).toBeLessThan(0);
    expect(compareTagNamesNaturally(b, a)).toBeGreaterThan(0);
  });

  it('is a total order: only equal strings compare equal (v01 and v1 differ)', () => {
    expect(compareTagNamesNaturally('v01', 'v1')).not.toBe(0);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const ab = compareTagNamesNaturally(a, b);
        expect(Math.sign(ab) + Math.sign(compareTagNamesNaturally(b, a))).toBe(0); // antisymmetric
        expect(ab === 0).toBe(a === b);
      }),
    );
  });
});

describe('compareTagsNewestFirst', () => {
  const tag = fc.record({
    name: fc.stringMatching(/^v[0-9]{1,2}(\.[0-9]{1,2}){0,2}$/),
    creatTime: fc.constantFrom(
      '1970-01-01T00:00:00Z',
      '2024-01-01T00:00:00Z',
      '2024-01-01T00:00:00+01:00',
      'garbage',
    ),
  });

  it('sorts the same whatever the input order, newest first', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(tag, { selector: (t) => t.name, maxLength: 12 }),
        fc.func(fc.integer()),
        (tags, key) => {
          const shuffled = [...tags].sort((a, b) => key(a.name) - key(b.name));
          const once = [...tags].sort(compareTagsNewestFirst);
          expect([...shuffled].sort(compareTagsNewestFirst)).toEqual(once);
          const time = (t: TagData) => Date.parse(t.creatTime ?? '') || 0;
          for (let i = 1; i < once.length; i++) {
            const [a, b] = [once[i - 1] as TagData, once[i] as TagData];
            expect(time(a)).toBeGreaterThanOrEqual(time(b));
            if (time(a) === time(b)) expect(compareTagNamesNaturally(a.name, b.name)).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});

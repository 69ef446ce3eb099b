import { truncateUtf8 } from '@hub/api-types';
import { describe, expect, it } from 'vitest';

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe('truncateUtf8', () => {
  it('returns a text that fits unchanged', () => {
    expect(truncateUtf8('héllo', 6)).toBe('héllo');
    expect(truncateUtf8('', 0)).toBe('');
  });

  it('cuts at a character boundary, never leaving a replacement character', () => {
    // "é" is 2 bytes, "€" 3, "😀" 4 (a surrogate pair in UTF-16).
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('a€b', 3)).toBe('a');
    expect(truncateUtf8('a€b', 4)).toBe('a€');
    expect(truncateUtf8('😀😀', 7)).toBe('😀');
    for (let max = 0; max < 20; max++) {
      const cut = truncateUtf8('aé€😀bé€😀', max);
      expect(bytes(cut)).toBeLessThanOrEqual(max);
      expect(cut).not.toContain('\uFFFD');
      expect('aé€😀bé€😀'.startsWith(cut)).toBe(true);
    }
  });

  it('keeps as many bytes as fit', () => {
    const text = 'x'.repeat(1000);
    expect(truncateUtf8(text, 999)).toHaveLength(999);
  });
});

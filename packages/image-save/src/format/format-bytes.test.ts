import { formatBytes } from '@hub/image-save';
import { describe, expect, it } from 'vitest';

describe('formatBytes', () => {
  it('uses binary units with one decimal above bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(48 * 1024 * 1024)).toBe('48.0 MiB');
    expect(formatBytes(3 * 1024 ** 5)).toBe('3072.0 TiB');
  });
});

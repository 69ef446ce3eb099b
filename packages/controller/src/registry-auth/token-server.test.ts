import { describe, expect, it } from 'vitest';
import { isRegistryAuthError } from './errors.ts';
import { parseTokenTtl } from './token-server.ts';

describe('parseTokenTtl', () => {
  it('reads Go durations in whole seconds', () => {
    expect(parseTokenTtl('5m')).toBe(300);
    expect(parseTokenTtl('1h30m')).toBe(5400);
    expect(parseTokenTtl('1.5s')).toBe(1);
  });

  it.each(['0', '500ms', '25h', '5 minutes', '', '-5m'])('refuses %j, naming the flag', (value) => {
    let caught: unknown;
    try {
      parseTokenTtl(value);
    } catch (error) {
      caught = error;
    }
    expect(isRegistryAuthError(caught) && caught.code === 'INVALID_OPTION').toBe(true);
    expect((caught as Error).message).toContain('--registry-token-ttl');
  });
});

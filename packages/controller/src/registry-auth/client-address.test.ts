import { describe, expect, it } from 'vitest';
import { clientAddressOf } from './client-address.ts';

const proxies = new Set(['10.0.0.5', '10.0.0.6']);

describe('clientAddressOf', () => {
  it('is the TCP peer when the peer is not a trusted proxy, whatever the header says', () => {
    expect(clientAddressOf('203.0.113.9', '1.2.3.4', proxies)).toBe('203.0.113.9');
    expect(clientAddressOf('::ffff:203.0.113.9', null, proxies)).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted hop behind trusted proxies', () => {
    expect(clientAddressOf('10.0.0.5', '198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddressOf('10.0.0.5', 'spoofed, 198.51.100.1, 10.0.0.6', proxies)).toBe('198.51.100.1');
  });

  it('falls back to the peer when the header has only proxies or is empty', () => {
    expect(clientAddressOf('10.0.0.5', '10.0.0.6', proxies)).toBe('10.0.0.5');
    expect(clientAddressOf('10.0.0.5', ' , ', proxies)).toBe('10.0.0.5');
    expect(clientAddressOf(undefined, undefined, proxies)).toBe('unknown');
  });
});

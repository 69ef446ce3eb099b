import { describe, expect, it } from 'vitest';
import { clientAddressOf, parseTrustedProxies } from './client-address.ts';
import { isRegistryAuthError } from './errors.ts';

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

  it('trusts CIDRs and IPv6 in any spelling, and skips trusted hops inside them', () => {
    const trusted = parseTrustedProxies(['10.0.0.0/8', 'fd00::/8', '0:0:0:0:0:0:0:1']);
    expect(clientAddressOf('10.200.3.4', '198.51.100.1', trusted)).toBe('198.51.100.1');
    expect(clientAddressOf('::ffff:10.1.1.1', '198.51.100.1', trusted)).toBe('198.51.100.1');
    expect(clientAddressOf('::1', '198.51.100.1', trusted)).toBe('198.51.100.1');
    expect(clientAddressOf('fd12::7', 'spoofed, 2001:db8::1, 10.9.9.9, fd00::2', trusted)).toBe(
      '2001:db8::1',
    );
    expect(clientAddressOf('11.0.0.1', '198.51.100.1', trusted)).toBe('11.0.0.1');
  });

  it('keys one client one way: ports dropped, IPv6 in its canonical form', () => {
    const trusted = parseTrustedProxies(['10.0.0.0/8']);
    expect(clientAddressOf('10.0.0.5', '198.51.100.1:4711', trusted)).toBe('198.51.100.1');
    expect(clientAddressOf('10.0.0.5', '[2001:DB8:0:0::1]:443', trusted)).toBe('2001:db8::1');
    expect(clientAddressOf('2001:db8:0::1', null, trusted)).toBe('2001:db8::1');
  });
});

describe('parseTrustedProxies', () => {
  it.each(['ingress', '10.0.0.0/33', 'fd00::/129', '10.0.0.1/', '300.1.1.1'])(
    'refuses %j, naming the flag',
    (entry) => {
      let caught: unknown;
      try {
        parseTrustedProxies([entry]);
      } catch (error) {
        caught = error;
      }
      expect(isRegistryAuthError(caught) && caught.code === 'INVALID_OPTION').toBe(true);
      expect((caught as Error).message).toContain('--registry-token-trusted-proxies');
    },
  );
});

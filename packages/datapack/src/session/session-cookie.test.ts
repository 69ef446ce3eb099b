import { describe, expect, it } from 'vitest';
import { isDataPackError } from '../errors.ts';
import { createSessionSealer } from './session-cookie.ts';
import { jwtExpiry, sessionExpiry } from './session-expiry.ts';

const SECRET = 'a-session-secret-of-at-least-32-characters';
const OTHER = 'another-session-secret-of-32-characters!!';
const payload = { token: 'tok.en.value', user: 'alice', groups: ['system:authenticated'], expiresAt: 2_000 };

function jwt(claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('session cookie', () => {
  it('round-trips the payload, and the token does not appear in the cookie', () => {
    const sealer = createSessionSealer(SECRET);
    const cookie = sealer.seal(payload);
    expect(cookie).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(cookie).not.toContain('tok');
    expect(sealer.open(cookie, 1_000)).toEqual(payload);
    // A fresh IV each time: two seals of one payload differ.
    expect(sealer.seal(payload)).not.toBe(cookie);
  });

  it('refuses an expired session, another key, and any flipped byte', () => {
    const sealer = createSessionSealer(SECRET);
    const cookie = sealer.seal(payload);
    expect(sealer.open(cookie, 2_000)).toBeUndefined();
    expect(createSessionSealer(OTHER).open(cookie, 1_000)).toBeUndefined();
    const raw = Buffer.from(cookie.slice(3), 'base64url');
    for (const index of [0, 12, raw.length - 1]) {
      const forged = Buffer.from(raw);
      forged[index] = (forged[index] ?? 0) ^ 1;
      expect(sealer.open(`v1.${forged.toString('base64url')}`, 1_000)).toBeUndefined();
    }
    for (const junk of ['', 'v1.', 'v2.abc', 'v1.%%%', `v1.${'A'.repeat(20_000)}`]) {
      expect(sealer.open(junk, 1_000)).toBeUndefined();
    }
  });

  it('rotates: the first secret seals, every listed one opens', () => {
    const old = createSessionSealer(OTHER).seal(payload);
    const rotated = createSessionSealer([SECRET, OTHER]);
    expect(rotated.open(old, 1_000)).toEqual(payload);
    expect(createSessionSealer(SECRET).open(rotated.seal(payload), 1_000)).toEqual(payload);
  });

  it('refuses a short secret with INVALID_OPTION, without echoing it', () => {
    let error: unknown;
    try {
      createSessionSealer('short-secret');
    } catch (caught) {
      error = caught;
    }
    expect(isDataPackError(error) && error.code).toBe('INVALID_OPTION');
    expect((error as Error).message).not.toContain('short-secret');
  });
});

describe('session expiry', () => {
  it('ends at the JWT exp when it comes before the cap', () => {
    expect(jwtExpiry(jwt({ exp: 1_700_000_000 }))).toBe(1_700_000_000_000);
    expect(sessionExpiry(jwt({ exp: 1_000 }), 500_000, 3_600_000)).toBe(1_000_000);
    expect(sessionExpiry(jwt({ exp: 10_000 }), 0, 3_600_000)).toBe(3_600_000);
  });

  it('caps opaque tokens and JWTs without exp at maxAge (8 h by default)', () => {
    expect(jwtExpiry('opaque-token')).toBeUndefined();
    expect(jwtExpiry(jwt({ sub: 'x' }))).toBeUndefined();
    expect(jwtExpiry('a.!!!.c')).toBeUndefined();
    expect(sessionExpiry('opaque-token', 1_000)).toBe(1_000 + 8 * 3_600_000);
    expect(sessionExpiry('opaque-token', 1_000, 60_000)).toBe(61_000);
  });
});

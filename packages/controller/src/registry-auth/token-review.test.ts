import { describe, expect, it } from 'vitest';
import type { RegistryIdentity } from './identity.ts';
import { cachedAuthenticator, type TokenAuthenticator } from './token-review.ts';

function countingAuthenticator(): TokenAuthenticator & { calls: string[]; fail: boolean } {
  const fake = {
    calls: [] as string[],
    fail: false,
    async authenticate(token: string): Promise<RegistryIdentity | undefined> {
      fake.calls.push(token);
      if (fake.fail) throw new Error('apiserver down');
      return token === 'good' ? { username: 'alice', groups: [] } : undefined;
    },
  };
  return fake;
}

describe('cachedAuthenticator', () => {
  it('reuses both verdicts for the ttl, then asks again', async () => {
    let now = 0;
    const inner = countingAuthenticator();
    const cached = cachedAuthenticator(inner, { ttlMs: 10_000, now: () => now });
    expect(await cached.authenticate('good')).toEqual({ username: 'alice', groups: [] });
    expect(await cached.authenticate('bad')).toBeUndefined();
    now = 9_999;
    await cached.authenticate('good');
    await cached.authenticate('bad');
    expect(inner.calls).toEqual(['good', 'bad']);
    now = 10_000;
    await cached.authenticate('good');
    expect(inner.calls).toEqual(['good', 'bad', 'good']);
  });

  it('shares one review between concurrent requests with the same token', async () => {
    const inner = countingAuthenticator();
    const cached = cachedAuthenticator(inner, { ttlMs: 10_000 });
    await Promise.all([
      cached.authenticate('good'),
      cached.authenticate('good'),
      cached.authenticate('good'),
    ]);
    expect(inner.calls).toHaveLength(1);
  });

  it('does not cache failures to review', async () => {
    const inner = countingAuthenticator();
    const cached = cachedAuthenticator(inner, { ttlMs: 10_000 });
    inner.fail = true;
    await expect(cached.authenticate('good')).rejects.toThrow();
    inner.fail = false;
    expect(await cached.authenticate('good')).toBeDefined();
    expect(inner.calls).toHaveLength(2);
  });

  it('asks every time with ttl 0 and keeps at most maxEntries', async () => {
    const inner = countingAuthenticator();
    const off = cachedAuthenticator(inner, { ttlMs: 0 });
    await off.authenticate('good');
    await off.authenticate('good');
    expect(inner.calls).toHaveLength(2);

    const small = countingAuthenticator();
    const bounded = cachedAuthenticator(small, { ttlMs: 10_000, maxEntries: 2 });
    for (const token of ['a', 'b', 'c', 'a']) await bounded.authenticate(token);
    expect(small.calls).toEqual(['a', 'b', 'c', 'a']);
  });
});

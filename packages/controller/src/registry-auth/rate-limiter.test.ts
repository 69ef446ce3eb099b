import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.ts';

describe('createRateLimiter', () => {
  it('allows a burst, then refuses with a Retry-After until tokens refill', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerSecond: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').allowed).toBe(true);
    now = 500;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('computes the wait from the rate', () => {
    const limiter = createRateLimiter({ ratePerSecond: 0.1, burst: 1, now: () => 0 });
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('check looks without taking', () => {
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 });
    expect(limiter.check('a').allowed).toBe(true);
    expect(limiter.check('a').allowed).toBe(true);
    expect(limiter.size()).toBe(0);
    limiter.take('a');
    expect(limiter.check('a').allowed).toBe(false);
  });

  it('bounds its memory: idle buckets go first, then the oldest', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 2, maxKeys: 3, now: () => now });
    for (const key of ['a', 'b', 'c']) limiter.take(key);
    now = 10_000;
    limiter.take('d');
    expect(limiter.size()).toBe(1);
    for (const key of ['e', 'f', 'g', 'h']) limiter.take(key);
    expect(limiter.size()).toBeLessThanOrEqual(3);
  });
});

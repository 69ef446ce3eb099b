import { describe, expect, it } from 'vitest';
import { createFailureLimiter, createRateLimiter } from './rate-limiter.ts';

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

  it('evicts the least recently used key, not the first created, when full', () => {
    const limiter = createRateLimiter({ ratePerSecond: 0.001, burst: 2, maxKeys: 2, now: () => 0 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c');
    expect(limiter.check('a').allowed).toBe(false);
    expect(limiter.size()).toBe(2);
  });

  it('isIdle says whether a key has tokens out', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 2, now: () => now });
    expect(limiter.isIdle('a')).toBe(true);
    limiter.take('a');
    expect(limiter.isIdle('a')).toBe(false);
    now = 1000;
    expect(limiter.isIdle('a')).toBe(true);
  });
});

describe('createFailureLimiter', () => {
  const slow = { ratePerSecond: 0.001, burst: 2 };
  const failOnce = (failures: ReturnType<typeof createFailureLimiter>, client: string) => {
    const attempt = failures.attempt(client);
    if (attempt.allowed) attempt.settle(true);
  };

  it("limits each client on its own: one client's failures never hold another back", () => {
    const failures = createFailureLimiter({ perClient: slow, now: () => 0 });
    failOnce(failures, 'x alice');
    failures.fail('x alice');
    expect(failures.attempt('x alice')).toEqual({ allowed: false, retryAfterSeconds: 1000 });
    expect(failures.attempt('x bob').allowed).toBe(true);
    expect(failures.attempt('x').allowed).toBe(true);
  });

  it('holds a failure while an attempt is open, so parallel guesses cannot all pass; success gives it back', () => {
    const failures = createFailureLimiter({ perClient: slow, now: () => 0 });
    const first = failures.attempt('x alice');
    const second = failures.attempt('x alice');
    expect(failures.attempt('x alice').allowed).toBe(false);
    if (first.allowed) first.settle(false);
    if (second.allowed) second.settle(false);
    if (second.allowed) second.settle(false);
    expect(failures.attempt('x alice').allowed).toBe(true);
    expect(failures.attempt('x alice').allowed).toBe(true);
    expect(failures.attempt('x alice').allowed).toBe(false);
  });

  it('when the global budget is spent, clients that failed lately wait, clients with a clean record do not', () => {
    let now = 0;
    const failures = createFailureLimiter({
      perClient: { ratePerSecond: 0.001, burst: 10 },
      global: { ratePerSecond: 1, burst: 3 },
      now: () => now,
    });
    for (const client of ['x u1', 'x u2', 'x u3']) failOnce(failures, client);
    expect(failures.attempt('x u1')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(failures.attempt('x bob').allowed).toBe(true);
    expect(failures.attempt('y').allowed).toBe(true);
    now = 1000;
    expect(failures.attempt('x u1').allowed).toBe(true);
  });

  it('bounds the clients it tracks', () => {
    const failures = createFailureLimiter({ perClient: slow, maxKeys: 100, now: () => 0 });
    for (let i = 0; i < 1000; i++) failOnce(failures, `x user-${i}`);
    expect(failures.size()).toBeLessThanOrEqual(100);
  });
});

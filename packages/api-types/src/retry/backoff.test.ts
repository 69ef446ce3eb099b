import { describe, expect, it } from 'vitest';
import { createBackoff, DEFAULT_RETRY, retryDelay } from './backoff.ts';

describe('retryDelay', () => {
  it('is full jitter by default: anywhere from 0 to the exponential ceiling', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 10_000 };
    expect(retryDelay(policy, 3, undefined, () => 0)).toBe(0);
    expect(retryDelay(policy, 3, undefined, () => 0.5)).toBe(200);
    expect(retryDelay(policy, 3, undefined, () => 1)).toBe(400);
    expect(retryDelay(policy, 20, undefined, () => 1)).toBe(10_000);
  });

  it('keeps a partial jitter in [ceiling * (1 - jitter), ceiling]', () => {
    const policy = { baseDelayMs: 800, maxDelayMs: 30_000, jitter: 0.5 };
    expect(retryDelay(policy, 1, undefined, () => 0)).toBe(400);
    expect(retryDelay(policy, 1, undefined, () => 1)).toBe(800);
    expect(retryDelay(policy, 99, undefined, () => 0)).toBe(15_000);
  });

  it('honours Retry-After up to its cap', () => {
    expect(retryDelay(DEFAULT_RETRY, 1, 2)).toBe(2000);
    expect(retryDelay(DEFAULT_RETRY, 1, 3600)).toBe(60_000);
  });
});

describe('createBackoff', () => {
  it('grows with each failure up to the cap and starts over after reset', () => {
    const backoff = createBackoff({ baseDelayMs: 100, maxDelayMs: 350, jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 350, 350]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});

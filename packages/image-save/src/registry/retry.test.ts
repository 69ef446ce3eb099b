import { describe, expect, it } from 'vitest';
import { RegistryError } from './registry-error.ts';
import { DEFAULT_RETRY, retryDelay, withRetry } from './retry.ts';

describe('retryDelay', () => {
  it('is full jitter: anywhere from 0 to the exponential ceiling', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 10_000 };
    expect(retryDelay(policy, 3, undefined, () => 0)).toBe(0);
    expect(retryDelay(policy, 3, undefined, () => 0.5)).toBe(200);
    expect(retryDelay(policy, 3, undefined, () => 1)).toBe(400);
    expect(retryDelay(policy, 20, undefined, () => 1)).toBe(10_000);
  });

  it('honours Retry-After up to its cap', () => {
    expect(retryDelay(DEFAULT_RETRY, 1, 2)).toBe(2000);
    expect(retryDelay(DEFAULT_RETRY, 1, 3600)).toBe(60_000);
  });
});

describe('withRetry', () => {
  const fast = { baseDelayMs: 1, maxDelayMs: 1 };

  it('retries retryable errors, reports each retry, and stops on success', async () => {
    const seen: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new RegistryError('NETWORK', 'reset');
        return 'ok';
      },
      { policy: fast, onRetry: (r) => seen.push(r.attempt) },
    );
    expect(value).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('does not retry an error whose code is not retryable', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new RegistryError('MANIFEST_UNKNOWN', 'missing');
        },
        { policy: fast },
      ),
    ).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN', attempts: 1 });
    expect(calls).toBe(1);
  });

  it('gives up after the policy tries and says how many were made', async () => {
    const error = await withRetry(
      async () => {
        throw new RegistryError('SERVER_ERROR', 'HTTP 503');
      },
      { policy: { ...fast, attempts: 3 } },
    ).catch((e: unknown) => e as RegistryError);
    expect(error.code).toBe('SERVER_ERROR');
    expect(error.attempts).toBe(3);
    expect(error.message).toMatch(/3 tries/);
  });
});

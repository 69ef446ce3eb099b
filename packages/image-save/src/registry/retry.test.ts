import { describe, expect, it } from 'vitest';
import { RegistryError } from './registry-error.ts';
import { withRetry } from './retry.ts';

// The policy itself is tested in @hub/api-types/retry; here, what a RegistryError adds to it.
describe('withRetry with RegistryError', () => {
  const fast = { baseDelayMs: 1, maxDelayMs: 1 };

  it('does not retry a registry code that is not retryable', async () => {
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

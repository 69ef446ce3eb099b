import { describe, expect, it } from 'vitest';
import { createBackoff, sleep } from '../index.ts';

// @hub/datapack re-exports the one sleep and backoff of @hub/api-types/retry.
describe('sleep and createBackoff of @hub/datapack', () => {
  it('sleep rejects when its signal aborts, like every sleep of hub', async () => {
    await expect(sleep(60_000, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('createBackoff takes the retry policy fields', () => {
    const backoff = createBackoff({ baseDelayMs: 10, maxDelayMs: 15, jitter: 0 });
    expect([backoff.next(), backoff.next()]).toEqual([10, 15]);
  });
});

import { describe, expect, it } from 'vitest';
import { HubError } from '../errors/index.ts';
import { withRetry } from './with-retry.ts';

class FlakyError extends HubError<'FLAKY' | 'BROKEN'> {
  override readonly name = 'FlakyError';
  readonly attempts: number;
  constructor(code: 'FLAKY' | 'BROKEN', attempts = 1) {
    super(code, `${code} after ${attempts}`, { retryable: code === 'FLAKY' });
    this.attempts = attempts;
  }
  withAttempts(attempts: number): FlakyError {
    return new FlakyError(this.code, attempts);
  }
}

describe('withRetry', () => {
  const fast = { baseDelayMs: 1, maxDelayMs: 1 };

  it('retries retryable errors, reports each retry, and stops on success', async () => {
    const seen: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new FlakyError('FLAKY');
        return 'ok';
      },
      { policy: fast, onRetry: (r) => seen.push(r.attempt) },
    );
    expect(value).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('does not retry an error that is not retryable, nor one that is no HubError', async () => {
    let calls = 0;
    const fail = (error: Error) => async () => {
      calls++;
      throw error;
    };
    await expect(withRetry(fail(new FlakyError('BROKEN')), { policy: fast })).rejects.toMatchObject({
      code: 'BROKEN',
    });
    await expect(withRetry(fail(new TypeError('bug')), { policy: fast })).rejects.toThrow('bug');
    expect(calls).toBe(2);
  });

  it('gives up after the policy tries and lets the error say how many were made', async () => {
    const error = await withRetry(
      async () => {
        throw new FlakyError('FLAKY');
      },
      { policy: { ...fast, attempts: 3 } },
    ).catch((e: unknown) => e as FlakyError);
    expect(error.attempts).toBe(3);
  });

  it('waits the Retry-After the error carries', async () => {
    const delays: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls === 1) throw Object.assign(new FlakyError('FLAKY'), { retryAfterSeconds: 0.01 });
      },
      { policy: fast, onRetry: (r) => delays.push(r.delayMs) },
    );
    expect(delays).toEqual([10]);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const run = withRetry(
      async () => {
        throw new FlakyError('FLAKY');
      },
      { policy: { baseDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 }, signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('stopped')), 5);
    await expect(run).rejects.toThrow('stopped');
  });
});

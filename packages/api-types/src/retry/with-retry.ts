import { isAbortError, isHubError } from '../errors/index.ts';
import { DEFAULT_RETRY, type RetryPolicy, retryDelay } from './backoff.ts';
import { sleep } from './sleep.ts';

/** What {@link withRetry} reports before each new try. */
export interface RetryInfo {
  /** The try that just failed (1-based). */
  attempt: number;
  delayMs: number;
  error: unknown;
}

/** Options of {@link withRetry}. */
export interface WithRetryOptions {
  policy?: Partial<RetryPolicy>;
  signal?: AbortSignal | undefined;
  onRetry?: (info: RetryInfo) => void;
}

/** An error that can say how many tries were made (image-save's RegistryError does). */
interface CountsAttempts {
  withAttempts(attempts: number): unknown;
}

/**
 * The one retry path of hub: runs `fn` until it succeeds, fails with an error that is not `retryable` (the
 * HubError field, decided by the error's code table), or the policy's tries run out. Honours Retry-After
 * (`retryAfterSeconds`), stops at once on abort, and an error given up on that has `withAttempts(n)` is
 * replaced by its result, so it says how many tries were made.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: WithRetryOptions = {},
): Promise<T> {
  const policy = { ...DEFAULT_RETRY, ...opts.policy };
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const retryable = isHubError(error) && error.retryable && !isAbortError(error) && !opts.signal?.aborted;
      if (!retryable || attempt >= policy.attempts) throw noteAttempts(error, attempt);
      const after = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      const delayMs = retryDelay(policy, attempt, typeof after === 'number' ? after : undefined);
      opts.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, opts.signal);
    }
  }
}

function noteAttempts(error: unknown, attempts: number): unknown {
  const counting = error as Partial<CountsAttempts> | null;
  return typeof counting?.withAttempts === 'function' ? counting.withAttempts(attempts) : error;
}

import { setTimeout as delay } from 'node:timers/promises';
import { isAbortError, isHubError } from '@hub/api-types/errors';
import { isRegistryError, type RegistryError } from './registry-error.ts';

/** How often and how patiently to retry (bounded; exponential backoff with full jitter). */
export interface RetryPolicy {
  /** Total attempts including the first (default 5). */
  attempts: number;
  /** First backoff ceiling in ms (default 250). */
  baseDelayMs: number;
  /** Cap for a computed backoff in ms (default 10 000). */
  maxDelayMs: number;
  /** Cap for a registry-requested Retry-After in ms (default 60 000). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Delay before retry number `attempt` (1-based): Retry-After if given, else "full jitter" exponential
 * backoff (AWS Architecture Blog): uniform in [0, min(max, base * 2^(attempt-1))].
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterSeconds !== undefined) return Math.min(retryAfterSeconds * 1000, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** Parses a Retry-After header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Sleeps `ms`; rejects early (an AbortError) when `signal` aborts. Node's timer, with our argument order. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {});
}

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

/**
 * The one retry path of @hub/image-save: runs `fn` until it succeeds, fails with an error that is not
 * `retryable` (the HubError field, decided by the error's code table), or the policy's tries run out.
 * Honours Retry-After (`retryAfterSeconds`), stops at once on abort, and a RegistryError given up on
 * says how many tries were made.
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
  return isRegistryError(error) ? (error as RegistryError).withAttempts(attempts) : error;
}

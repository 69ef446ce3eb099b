/** How often and how patiently to retry (bounded exponential backoff, jittered). */
export interface RetryPolicy {
  /** Total attempts including the first (default 5). */
  attempts: number;
  /** First backoff ceiling in ms (default 250). */
  baseDelayMs: number;
  /** Cap for a computed backoff in ms (default 10 000). */
  maxDelayMs: number;
  /** Cap for a server-requested Retry-After in ms (default 60 000). */
  maxRetryAfterMs: number;
  /**
   * Share of each delay that is random (default 1, "full jitter": anywhere in [0, ceiling]); 0.5 keeps it in
   * [ceiling / 2, ceiling], for loops that must not hammer a server right after it failed.
   */
  jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  jitter: 1,
};

/**
 * The one backoff of hub. Delay before retry number `attempt` (1-based): Retry-After if given, else the
 * exponential ceiling min(max, base * 2^(attempt-1)) with its `jitter` share random ("full jitter" of the
 * AWS Architecture Blog by default), so clients that failed together do not come back together.
 */
export function retryDelay(
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> & Partial<RetryPolicy>,
  attempt: number,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterSeconds !== undefined)
    return Math.min(retryAfterSeconds * 1000, policy.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? DEFAULT_RETRY.jitter));
  return Math.round(ceiling * (1 - jitter + jitter * random()));
}

/** {@link retryDelay} for loops that retry forever (a watch reconnecting): `next()` grows, `reset()` after a success. */
export interface Backoff {
  next(): number;
  reset(): void;
}

export function createBackoff(
  policy: Partial<Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'jitter'>> = {},
): Backoff {
  const full = { ...DEFAULT_RETRY, ...policy };
  let attempt = 0;
  return {
    next: () => retryDelay(full, ++attempt),
    reset() {
      attempt = 0;
    },
  };
}

/** Parses a Retry-After header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

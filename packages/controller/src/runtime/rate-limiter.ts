/** When an item may be retried; `forget` resets its backoff after a success. */
export interface RateLimiter<K> {
  /** Milliseconds to wait before the next attempt of `key`. */
  when(key: K): number;
  forget(key: K): void;
  /** Failures recorded for `key` since its last success. */
  retries(key: K): number;
}

/** Per-item exponential backoff: `baseMs * 2^failures`, capped (client-go: 5 ms → 1000 s). */
export function exponentialFailureRateLimiter<K>(baseMs = 5, maxMs = 1_000_000): RateLimiter<K> {
  const failures = new Map<K, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      return Math.min(maxMs, baseMs * 2 ** Math.min(n, 40));
    },
    forget: (key) => void failures.delete(key),
    retries: (key) => failures.get(key) ?? 0,
  };
}

/**
 * A global token bucket over all retries (client-go: 10 qps, burst 100): a storm of failing items
 * is spread out instead of hammering the apiserver. Returns the delay the next token needs.
 */
export function bucketRateLimiter<K>(qps = 10, burst = 100, now: () => number = Date.now): RateLimiter<K> {
  let tokens = burst;
  let last = now();
  return {
    when() {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - last) / 1000) * qps);
      last = t;
      tokens -= 1;
      // A negative balance is a reservation: wait until it has refilled.
      return tokens >= 0 ? 0 : Math.ceil((-tokens / qps) * 1000);
    },
    forget() {},
    retries: () => 0,
  };
}

/** The larger delay of several limiters (client-go's MaxOfRateLimiter). */
export function maxOfRateLimiter<K>(...limiters: RateLimiter<K>[]): RateLimiter<K> {
  return {
    when: (key) => Math.max(...limiters.map((l) => l.when(key))),
    forget: (key) => {
      for (const l of limiters) l.forget(key);
    },
    retries: (key) => Math.max(...limiters.map((l) => l.retries(key))),
  };
}

/** controller-runtime's default: max(per-item 5 ms → 1000 s, bucket 10 qps / burst 100). */
export function defaultControllerRateLimiter<K>(): RateLimiter<K> {
  return maxOfRateLimiter(exponentialFailureRateLimiter<K>(5, 1_000_000), bucketRateLimiter<K>(10, 100));
}

/** A token bucket per key: `ratePerSecond` refill, up to `burst` at once. */
export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

/** What {@link KeyedRateLimiter.take} answers. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface KeyedRateLimiter {
  /** Takes `cost` tokens from `key`'s bucket, or says how long to wait. */
  take(key: string, cost?: number): RateDecision;
  /** Like take, but only looks (for "too many failures" checks before doing work). */
  check(key: string, cost?: number): RateDecision;
  /** Keys currently tracked (bounded by `maxKeys`). */
  size(): number;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions extends RateLimit {
  /** Most keys tracked; full (idle) buckets go first, then the oldest. Default 100,000. */
  maxKeys?: number;
  now?: () => number;
}

/** An in-memory keyed token-bucket limiter with bounded memory. */
export function createRateLimiter(options: RateLimiterOptions): KeyedRateLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (bucket: { tokens: number; at: number }, at: number) => {
    bucket.tokens = Math.min(
      options.burst,
      bucket.tokens + ((at - bucket.at) / 1000) * options.ratePerSecond,
    );
    bucket.at = at;
  };
  const evict = (at: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= options.burst) buckets.delete(key);
    }
    while (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
  };
  const decide = (key: string, cost: number, consume: boolean): RateDecision => {
    const at = now();
    let bucket = buckets.get(key);
    if (bucket) refill(bucket, at);
    else {
      if (!consume) return { allowed: true };
      if (buckets.size >= maxKeys) evict(at);
      bucket = { tokens: options.burst, at };
      buckets.set(key, bucket);
    }
    if (bucket.tokens >= cost) {
      if (consume) bucket.tokens -= cost;
      return { allowed: true };
    }
    const waitSeconds = (cost - bucket.tokens) / options.ratePerSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
  };
  return {
    take: (key, cost = 1) => decide(key, cost, true),
    check: (key, cost = 1) => decide(key, cost, false),
    size: () => buckets.size,
  };
}

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
  /** Puts `cost` tokens back into `key`'s bucket (a reservation that was not needed), up to the burst. */
  giveBack(key: string, cost?: number): void;
  /** True when `key` has no tokens out: untracked, or refilled to the burst. */
  isIdle(key: string): boolean;
  /** Keys currently tracked (bounded by `maxKeys`). */
  size(): number;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions extends RateLimit {
  /** Most keys tracked; idle buckets go first, then the least recently used. Default 100,000. */
  maxKeys?: number;
  now?: () => number;
}

/** An in-memory keyed token-bucket limiter with bounded memory. */
export function createRateLimiter(options: RateLimiterOptions): KeyedRateLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  // Map order is use order (a take moves its key to the end), so the head is the least recently used.
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (bucket: { tokens: number; at: number }, at: number) => {
    bucket.tokens = Math.min(
      options.burst,
      bucket.tokens + ((at - bucket.at) / 1000) * options.ratePerSecond,
    );
    bucket.at = at;
  };
  // Idle buckets (worth nothing) are dropped from the head; the first busy one is dropped only if still full.
  // Stopping at the first busy bucket keeps this O(1) amortised under a flood of new keys.
  const evict = (at: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens < options.burst) break;
      buckets.delete(key);
    }
    while (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
  };
  const decide = (key: string, cost: number, consume: boolean): RateDecision => {
    const at = now();
    let bucket = buckets.get(key);
    if (bucket) {
      refill(bucket, at);
      if (consume) {
        buckets.delete(key);
        buckets.set(key, bucket);
      }
    } else {
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
    giveBack(key, cost = 1) {
      const bucket = buckets.get(key);
      if (!bucket) return;
      refill(bucket, now());
      bucket.tokens = Math.min(options.burst, bucket.tokens + cost);
    },
    isIdle(key) {
      const bucket = buckets.get(key);
      if (!bucket) return true;
      refill(bucket, now());
      return bucket.tokens >= options.burst;
    },
    size: () => buckets.size,
  };
}

/** What {@link FailureLimiter.attempt} answers: a refusal, or an open attempt to settle once its outcome is known. */
export type FailureAttempt =
  | { allowed: false; retryAfterSeconds: number }
  | { allowed: true; settle(failed: boolean): void };

/** Failed logins per client, under one global budget. */
export interface FailureLimiter {
  /**
   * Before credentials are checked: refused while `client` is out of failures, or while the global budget is
   * spent and `client` failed lately. An allowed attempt holds one failure until settled, so parallel guesses
   * cannot all pass the check; `settle(false)` gives it back.
   */
  attempt(client: string): FailureAttempt;
  /** Counts a failure that needed no check (a malformed header); never refuses. */
  fail(client: string): void;
  /** Clients tracked (bounded by `maxKeys`). */
  size(): number;
}

/** Options of {@link createFailureLimiter}. */
export interface FailureLimiterOptions {
  /** Failures per client key. */
  perClient: RateLimit;
  /** All failures together; omitted: no global budget. */
  global?: RateLimit;
  /** Most clients tracked. Default 100,000. */
  maxKeys?: number;
  now?: () => number;
}

const GLOBAL = '';

/**
 * Failed logins limited per client (address and username), so one client's failures never block another.
 * The global budget bounds a flood of distinct clients without locking anyone out: once spent, only clients
 * that failed lately wait; a client with a clean record is always let through to its check.
 */
export function createFailureLimiter(options: FailureLimiterOptions): FailureLimiter {
  const clients = createRateLimiter({
    ...options.perClient,
    ...(options.maxKeys !== undefined ? { maxKeys: options.maxKeys } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const global = options.global
    ? createRateLimiter({ ...options.global, ...(options.now ? { now: options.now } : {}) })
    : undefined;
  return {
    attempt(client) {
      const own = clients.check(client);
      if (!own.allowed) return own;
      if (global && !clients.isIdle(client)) {
        const shared = global.check(GLOBAL);
        if (!shared.allowed) return shared;
      }
      clients.take(client);
      let settled = false;
      return {
        allowed: true,
        settle(failed) {
          if (settled) return;
          settled = true;
          if (failed) global?.take(GLOBAL);
          else clients.giveBack(client);
        },
      };
    },
    fail(client) {
      clients.take(client);
      global?.take(GLOBAL);
    },
    size: () => clients.size(),
  };
}

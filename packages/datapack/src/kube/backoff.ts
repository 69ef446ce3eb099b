/** Jittered exponential backoff: `initialMs`, doubling to `maxMs`, each delay scaled by 1 ± `jitter`. */
export interface Backoff {
  next(): number;
  reset(): void;
}

export function createBackoff(
  options: { initialMs?: number; maxMs?: number; jitter?: number } = {},
): Backoff {
  const initial = options.initialMs ?? 800;
  const max = options.maxMs ?? 30_000;
  const jitter = options.jitter ?? 0.5;
  let attempt = 0;
  return {
    next() {
      const base = Math.min(max, initial * 2 ** attempt);
      attempt = Math.min(attempt + 1, 30);
      return jittered(base, jitter);
    },
    reset() {
      attempt = 0;
    },
  };
}

/** `ms` scaled by a random factor in [1 - fraction, 1 + fraction], so replicas do not move in lockstep. */
export function jittered(ms: number, fraction: number): number {
  return Math.max(0, Math.round(ms * (1 - fraction + Math.random() * 2 * fraction)));
}

/** Resolves after `ms`, or at once (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

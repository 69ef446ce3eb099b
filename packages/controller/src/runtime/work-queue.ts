import type { ControllerMetrics } from './metrics.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

/**
 * client-go's rate-limited work queue: N adds of a key before it is taken collapse into one; a key
 * is never handed to two workers at once (re-added while processing, it comes back after `done`).
 */
export interface WorkQueue<K = string> {
  add(key: K): void;
  /** Adds after `ms` (earliest wins when several are pending). */
  addAfter(key: K, ms: number): void;
  /** Adds after the rate limiter's delay for `key` (a retry). */
  addRateLimited(key: K): void;
  /** Clears `key`'s retry history (after success or a terminal error). */
  forget(key: K): void;
  numRequeues(key: K): number;
  /** The next key, waiting if none is ready; `undefined` once shut down. */
  get(): Promise<K | undefined>;
  /** Marks `key` processed; the caller must call this exactly once per `get`. */
  done(key: K): void;
  /** Stops handing out work; pending delayed adds are dropped. */
  shutDown(): void;
  readonly shuttingDown: boolean;
  /** Keys waiting to be taken. */
  readonly length: number;
  /** Keys being processed right now. */
  readonly processing: number;
  /** Resolves when nothing is being processed. */
  idle(): Promise<void>;
}

export interface WorkQueueOptions<K> {
  name: string;
  rateLimiter?: RateLimiter<K>;
  metrics?: ControllerMetrics;
}

export function createWorkQueue<K = string>(options: WorkQueueOptions<K>): WorkQueue<K> {
  const limiter = options.rateLimiter ?? defaultControllerRateLimiter<K>();
  const labels = { name: options.name, controller: options.name };
  const m = options.metrics;
  const queue: K[] = [];
  let head = 0;
  const dirty = new Set<K>();
  const processing = new Map<K, number>();
  const addedAt = new Map<K, number>();
  const delayed = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  const waiters: Array<(key: K | undefined) => void> = [];
  const idleWaiters: Array<() => void> = [];
  let shutting = false;

  const depth = () => queue.length - head;
  const updateDepth = () => m?.workqueueDepth.set(labels, depth());
  const push = (key: K) => {
    const waiter = waiters.shift();
    if (waiter) {
      take(key);
      waiter(key);
      return;
    }
    queue.push(key);
    updateDepth();
  };
  const take = (key: K) => {
    dirty.delete(key);
    processing.set(key, performance.now());
    const at = addedAt.get(key);
    addedAt.delete(key);
    if (at !== undefined) m?.workqueueQueueDuration.observe(labels, (performance.now() - at) / 1000);
  };

  const wq: WorkQueue<K> = {
    add(key) {
      if (shutting || dirty.has(key)) return;
      m?.workqueueAdds.inc(labels);
      dirty.add(key);
      addedAt.set(key, performance.now());
      if (processing.has(key)) return;
      push(key);
    },
    addAfter(key, ms) {
      if (shutting) return;
      if (ms <= 0) return wq.add(key);
      const at = Date.now() + ms;
      const pending = delayed.get(key);
      if (pending && pending.at <= at) return;
      if (pending) clearTimeout(pending.timer);
      const timer = setTimeout(() => {
        delayed.delete(key);
        wq.add(key);
      }, ms);
      timer.unref();
      delayed.set(key, { at, timer });
    },
    addRateLimited(key) {
      m?.workqueueRetries.inc(labels);
      wq.addAfter(key, limiter.when(key));
    },
    forget: (key) => limiter.forget(key),
    numRequeues: (key) => limiter.retries(key),
    get() {
      if (shutting) return Promise.resolve(undefined);
      if (depth() > 0) {
        const key = queue[head] as K;
        head++;
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        updateDepth();
        take(key);
        return Promise.resolve(key);
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    done(key) {
      const started = processing.get(key);
      if (started === undefined) return;
      processing.delete(key);
      m?.workqueueWorkDuration.observe(labels, (performance.now() - started) / 1000);
      if (dirty.has(key) && !shutting) push(key);
      if (processing.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    },
    shutDown() {
      shutting = true;
      for (const { timer } of delayed.values()) clearTimeout(timer);
      delayed.clear();
      for (const waiter of waiters.splice(0)) waiter(undefined);
    },
    get shuttingDown() {
      return shutting;
    },
    get length() {
      return depth();
    },
    get processing() {
      return processing.size;
    },
    idle() {
      return processing.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
  if (m) sampleUnfinishedWork(wq, processing, m, labels);
  return wq;
}

/**
 * Keeps the unfinished-work and longest-running gauges current every 500 ms, as client-go's
 * updateUnfinishedWorkLoop does, until the queue shuts down.
 */
function sampleUnfinishedWork<K>(
  wq: WorkQueue<K>,
  processing: ReadonlyMap<K, number>,
  m: ControllerMetrics,
  labels: { name: string; controller: string },
): void {
  const sample = () => {
    const now = performance.now();
    let total = 0;
    let longest = 0;
    for (const started of processing.values()) {
      total += now - started;
      longest = Math.max(longest, now - started);
    }
    m.workqueueUnfinishedWork.set(labels, total / 1000);
    m.workqueueLongestRunning.set(labels, longest / 1000);
  };
  const timer = setInterval(sample, 500);
  timer.unref();
  const stop = wq.shutDown;
  wq.shutDown = () => {
    clearInterval(timer);
    stop();
  };
}

import { sleep } from '@hub/api-types/retry';

/** Time for code that waits and measures durations; tests pass a fake one. */
export interface Clock {
  /** Milliseconds on a monotonic scale: only differences mean something. */
  now(): number;
  /** Wall time, for timestamps written for others to read (a Lease's renewTime). */
  date(): Date;
  /** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Monotonic, so a wall-clock step (NTP) neither expires a lease early nor keeps one alive. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  date: () => new Date(),
  // The one sleep rejects on abort; the elector's loops check their signal after each wait instead.
  sleep: (ms, signal) => sleep(ms, signal).catch(() => undefined),
};

import { setTimeout as delay } from 'node:timers/promises';

/**
 * The one `sleep` of hub: resolves after `ms`, rejects (with the signal's reason, an AbortError by default)
 * as soon as `signal` aborts, so a stopped loop never runs one more step.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return delay(ms, undefined, signal ? { signal } : {}).catch((error: unknown) => {
    // timers/promises rejects with its own AbortError; the caller's reason says why it stopped.
    throw signal?.aborted ? signal.reason : error;
  });
}

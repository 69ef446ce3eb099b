// Public API of @hub/api-types/retry: the one retry path, backoff and sleep of every package. No zod, no
// other dependency, so every package may import it.
export {
  type Backoff,
  createBackoff,
  DEFAULT_RETRY,
  parseRetryAfter,
  type RetryPolicy,
  retryDelay,
} from './backoff.ts';
export { sleep } from './sleep.ts';
export { type RetryInfo, type WithRetryOptions, withRetry } from './with-retry.ts';

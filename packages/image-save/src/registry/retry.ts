// The retry path, backoff and sleep live once in @hub/api-types/retry (every package can import that);
// image-save re-exports them, so `withRetry` from here is that same function.
export {
  DEFAULT_RETRY,
  parseRetryAfter,
  type RetryInfo,
  type RetryPolicy,
  retryDelay,
  sleep,
  type WithRetryOptions,
  withRetry,
} from '@hub/api-types/retry';

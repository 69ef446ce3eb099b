// Public API of @hub/api-types/cli: what every hub CLI shares. No zod, no dependency: it is on start-up paths.
export type { CliIo } from './cli-io.ts';
export { runCliEntry } from './run-cli-entry.ts';
export {
  isParseArgsError,
  isUsageError,
  reportUsage,
  UsageError,
  type UsageErrorCode,
} from './usage-error.ts';

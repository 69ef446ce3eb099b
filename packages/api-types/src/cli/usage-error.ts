import { HubError, hubErrorGuard } from '../errors/hub-error.ts';
import type { CliIo } from './cli-io.ts';

/** The code of every {@link UsageError}. */
export type UsageErrorCode = 'USAGE';

/**
 * A mistake in how a CLI was called (an unknown flag, a missing argument, values that do not go together),
 * found before any work starts: exit 2 (see "CLIs" in docs/development.md).
 */
export class UsageError extends HubError<UsageErrorCode> {
  override readonly name = 'UsageError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super('USAGE', message, options);
  }
}

/** Brand guard for {@link UsageError} (works across installed copies). */
export const isUsageError = hubErrorGuard<UsageError>('UsageError');

/** node:util `parseArgs`' own refusals (unknown option, missing value, unexpected positional) are usage errors too. */
export function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/**
 * The one way every hub CLI reports bad usage: `<cli>: <problem>` and then `Run <command> --help for usage.`
 * on stderr, where `command` is the CLI or its subcommand (`kubepkg export`). Returns the exit code, 2.
 */
export function reportUsage(io: Pick<CliIo, 'stderr'>, cli: string, problem: string, command = cli): 2 {
  io.stderr.write(`${cli}: ${problem}\nRun ${command} --help for usage.\n`);
  return 2;
}

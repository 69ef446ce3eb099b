import type { CliIo } from './cli-io.ts';

/**
 * The body of every hub CLI entry (`src/cli.ts`): the process's real streams as {@link CliIo}, the only
 * SIGINT/SIGTERM handlers (they abort `io.signal`), and the exit code set from `runCli`'s answer, never
 * forced, so pending output is flushed. An unexpected throw is one `<cli>: …` line and exit 1.
 */
export function runCliEntry(
  cli: string,
  runCli: (argv: readonly string[], io: CliIo) => Promise<number>,
): void {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  process.once('SIGTERM', () => controller.abort(new Error('terminated')));
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
    isTTY: process.stderr.isTTY === true,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${cli}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

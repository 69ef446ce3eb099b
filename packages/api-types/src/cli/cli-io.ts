/**
 * What every hub CLI's `runCli(argv, io)` gets, so tests drive it in-process (see "CLIs" in
 * docs/development.md). Import it as a type: it costs nothing at start-up.
 */
export interface CliIo {
  /** Results; NDJSON events and the summary with `--json`. */
  stdout: { write(text: string): unknown };
  /** Diagnostics and progress; `columns` bounds a redrawn progress line. */
  stderr: { write(text: string): unknown; columns?: number };
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted by SIGINT/SIGTERM in the CLI entry (the only place that installs those handlers). */
  signal?: AbortSignal;
  /** Whether stderr is a terminal: progress is redrawn in place only then. */
  isTTY: boolean;
}

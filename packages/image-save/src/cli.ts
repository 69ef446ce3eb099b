#!/usr/bin/env node
import { runCli } from './cli/run-cli.ts';

// The entry alone owns the process: signals abort the run, and the exit code is set, never forced.
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
    process.stderr.write(`hub-save: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

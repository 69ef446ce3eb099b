#!/usr/bin/env node
import { runCli } from './cli/run-cli.ts';

// The CLI entry alone turns SIGINT/SIGTERM into an abort; commands (serve included) only watch the signal.
const controller = new AbortController();
const stop = () => controller.abort();
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  signal: controller.signal,
  isTTY: process.stderr.isTTY === true,
});
process.off('SIGINT', stop);
process.off('SIGTERM', stop);

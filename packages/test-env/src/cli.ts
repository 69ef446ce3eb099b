#!/usr/bin/env node
// The hub-testenv entry: the only place that touches process signals and the exit code.
import { runCli } from './cli/run-cli.ts';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => controller.abort(new Error(`${signal} received`)));

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  isTTY: process.stderr.isTTY === true,
});

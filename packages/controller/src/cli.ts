#!/usr/bin/env node
// The hub-controller entry: the only place that installs signal handlers and exits.
import { runCli } from './cli/run-cli.ts';

const controller = new AbortController();
let signals = 0;
const onSignal = () => {
  signals++;
  // A second signal means "now": skip the drain.
  if (signals > 1) process.exit(1);
  controller.abort();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  isTTY: process.stderr.isTTY === true,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`hub-controller: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

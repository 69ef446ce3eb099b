#!/usr/bin/env node
import { runHubIndexCli } from './run-cli.ts';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted')));
process.once('SIGTERM', () => controller.abort(new Error('terminated')));
runHubIndexCli(process.argv.slice(2), {
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
    process.stderr.write(`hub-index: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

#!/usr/bin/env node
import { runCliEntry } from '@hub/api-types/cli';
import { runCli } from './cli/run-cli.ts';

// The CLI entry alone turns SIGINT/SIGTERM into an abort; commands (serve included) only watch the signal.
runCliEntry('kubepkg', runCli);

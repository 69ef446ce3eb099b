#!/usr/bin/env node
// The hub-controller entry: the only place that installs signal handlers (SIGTERM/SIGINT drain and exit 0).
import { runCliEntry } from '@hub/api-types/cli';
import { runCli } from './cli/run-cli.ts';

runCliEntry('hub-controller', runCli);

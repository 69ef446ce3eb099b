#!/usr/bin/env node
import { runCliEntry } from '@hub/api-types/cli';
import { runCli } from './cli/run-cli.ts';

runCliEntry('hub-testenv', runCli);

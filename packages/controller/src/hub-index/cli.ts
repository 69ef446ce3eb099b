#!/usr/bin/env node
// The hub-index entry: the only place that installs signal handlers (they abort the run).
import { runCliEntry } from '@hub/api-types/cli';
import { runHubIndexCli } from './run-cli.ts';

runCliEntry('hub-index', runHubIndexCli);

#!/usr/bin/env node
// hub-index: the Node check, then the built CLI (see "CLIs" in docs/development.md).
import { launchCli } from '@hub/api-types/launch-cli';

await launchCli('hub-index', import.meta.url, 'hub-index/cli');

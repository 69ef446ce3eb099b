#!/usr/bin/env node
// hub-testenv: the Node check, then the built CLI (see "CLIs" in docs/development.md).
import { launchCli } from '@hub/api-types/launch-cli';

await launchCli('hub-testenv', import.meta.url);

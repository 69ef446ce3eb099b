#!/usr/bin/env node
// hub-controller: the Node check, then the built CLI (see "CLIs" in docs/development.md).
import { launchCli } from '@hub/api-types/launch-cli';

await launchCli('hub-controller', import.meta.url);

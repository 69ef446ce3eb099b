#!/usr/bin/env node
// kubepkg: the Node check, then the built CLI (see "CLIs" in docs/development.md).
import { launchCli } from '@hub/api-types/launch-cli';

await launchCli('kubepkg', import.meta.url);

import { hubBuildConfig } from '../../tools/tsup-config.ts';

export default hubBuildConfig({
  index: 'src/index.ts',
  fixtures: 'src/fixtures/index.ts',
  node: 'src/node/index.ts',
  'vitest/global-setup': 'src/vitest/global-setup.ts',
  cli: 'src/cli.ts',
});

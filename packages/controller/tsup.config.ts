import { hubBuildConfig } from '../../tools/tsup-config.ts';

export default hubBuildConfig({
  index: 'src/index.ts',
  cli: 'src/cli.ts',
  'hub-index/cli': 'src/hub-index/cli.ts',
});

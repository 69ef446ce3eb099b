import { hubBuildConfig } from '../../tools/tsup-config.ts';

export default hubBuildConfig({
  index: 'src/index.ts',
  registry: 'src/registry/index.ts',
  auth: 'src/auth/index.ts',
  platform: 'src/platform/index.ts',
  storage: 'src/storage/index.ts',
  cli: 'src/cli.ts',
});

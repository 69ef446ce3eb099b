import { hubBuildConfig } from '../../tools/tsup-config.ts';

export default hubBuildConfig({
  index: 'src/index.ts',
  spec: 'src/spec/index.ts',
  reconcile: 'src/reconcile/index.ts',
  cli: 'src/cli.ts',
});

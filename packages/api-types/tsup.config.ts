import { hubBuildConfig } from '../../tools/tsup-config.ts';

export default hubBuildConfig({
  index: 'src/index.ts',
  errors: 'src/errors/index.ts',
  reference: 'src/reference/index.ts',
  cli: 'src/cli/index.ts',
  access: 'src/access/index.ts',
  retry: 'src/retry/index.ts',
  kubeconfig: 'src/kubeconfig/index.ts',
});

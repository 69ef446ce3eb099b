import { hubPackageVitestConfig } from '../../tools/vitest-preset.ts';

export default hubPackageVitestConfig('repo-checks', import.meta.dirname);

import { hubPackageVitestConfig } from '../../tools/vitest-preset.ts';

export default hubPackageVitestConfig('reconcilers', import.meta.dirname);

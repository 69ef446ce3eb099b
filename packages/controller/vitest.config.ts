import { hubPackageVitestConfig } from '../../tools/vitest-preset.ts';

export default hubPackageVitestConfig('controller', import.meta.dirname);

import { hubPackageVitestConfig } from '../../tools/vitest-preset.ts';

export default hubPackageVitestConfig('datapack', import.meta.dirname);

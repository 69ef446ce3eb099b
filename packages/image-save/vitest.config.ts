import { hubPackageVitestConfig } from '../../tools/vitest-preset.ts';

export default hubPackageVitestConfig('image-save', import.meta.dirname);

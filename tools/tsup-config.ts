import { defineConfig, type Options } from 'tsup';

/**
 * The one build configuration every published package uses: ESM only, with declarations.
 * Packages list only their entries; dependencies are never inlined (tsup keeps
 * `dependencies` and `peerDependencies` external).
 */
export function hubBuildConfig(entry: Record<string, string>, extra: Partial<Options> = {}) {
  return defineConfig({
    entry,
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    outDir: 'dist',
    ...extra,
  });
}

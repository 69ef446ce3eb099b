import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { hubNodeProject, hubVitestProjects } from './tools/vitest-preset.ts';

// One run over every package and example: each contributes a `<name>:unit` and a
// `<name>:integration` project; the integration projects share one control plane and registry.
const roots = ['packages', 'examples'].flatMap((dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .map((name) => ({ name, root: join(import.meta.dirname, dir, name) }))
        .filter(({ root }) => existsSync(join(root, 'package.json')))
    : [],
);

export default defineConfig({
  // The projects share this config's Vite server, and vitest 5 runs global setups in its `__vitest__`
  // environment with default conditions: without this, the shared setup cannot import @hub/* sources.
  environments: { __vitest__: { resolve: { conditions: ['@hub/source', 'node', 'import', 'default'] } } },
  test: {
    projects: [
      ...roots.flatMap(({ name, root }) => hubVitestProjects(name, root)),
      // The real-node suites (root, 3–4 min warm): with HUB_NODE_TESTS=1, which `npm test` sets when run as root.
      ...(process.env.HUB_NODE_TESTS === '1' ? [hubNodeProject(import.meta.dirname)] : []),
    ],
    passWithNoTests: true,
  },
});

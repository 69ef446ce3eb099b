import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const globalSetup = fileURLToPath(
  new URL('../packages/test-env/src/vitest/global-setup.ts', import.meta.url),
);

/**
 * A package's vitest configuration: two projects, `<name>:unit` (`*.test.ts`, no servers)
 * and `<name>:integration` (`*.integration.test.ts`, against the real control plane and
 * registry that the shared global setup starts once per run).
 */
export function hubVitestProjects(name: string, root: string) {
  const common = {
    root,
    resolve: { conditions: ['@hub/source'] },
    ssr: { resolve: { conditions: ['@hub/source'] } },
  };
  return [
    {
      ...common,
      test: {
        name: `${name}:unit`,
        include: ['src/**/*.test.ts', 'bin/**/*.test.ts'],
        exclude: ['**/*.integration.test.ts', '**/node_modules/**', '**/dist/**'],
        restoreMocks: true,
      },
    },
    {
      ...common,
      test: {
        name: `${name}:integration`,
        include: ['src/**/*.integration.test.ts', 'test/**/*.integration.test.ts'],
        globalSetup: [globalSetup],
        testTimeout: 120_000,
        hookTimeout: 300_000,
        restoreMocks: true,
      },
    },
  ];
}

/**
 * `node`: the real-node suites (`*.node.test.ts` under each package's `test/`). Each file starts its own control plane with
 * a node (kubelet, containerd, CoreDNS) in a network namespace, so they need root, no global setup, and run one
 * file at a time (two nodes at once would only fight over 2 cores).
 */
export function hubNodeProject(root: string) {
  return {
    root,
    resolve: { conditions: ['@hub/source'] },
    ssr: { resolve: { conditions: ['@hub/source'] } },
    test: {
      name: 'node',
      include: ['packages/*/test/**/*.node.test.ts'],
      fileParallelism: false,
      testTimeout: 300_000,
      hookTimeout: 900_000,
      restoreMocks: true,
    },
  };
}

export function hubPackageVitestConfig(name: string, root: string) {
  return defineConfig({ test: { projects: hubVitestProjects(name, root) } });
}

import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// Turbopack reads alias targets relative to this directory.
const source = (path: string) => `../../packages/${path}`;

// The example runs the workspace packages from source (as tests do with the `@hub/source`
// condition), so it needs no prior build of @hub/datapack. Published users import the built package.
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  turbopack: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    resolveAlias: {
      '@hub/datapack': source('datapack/src/index.ts'),
      '@hub/api-types/errors': source('api-types/src/errors/index.ts'),
      '@hub/api-types/access': source('api-types/src/access/index.ts'),
      '@hub/api-types/retry': source('api-types/src/retry/index.ts'),
      '@hub/api-types/kubeconfig': source('api-types/src/kubeconfig/index.ts'),
      '@hub/api-types': source('api-types/src/index.ts'),
    },
  },
  // Node libraries with native-style dependencies stay outside the bundle, loaded at run time.
  serverExternalPackages: ['@kubernetes/client-node', 'undici'],
  images: { unoptimized: true },
};

export default config;

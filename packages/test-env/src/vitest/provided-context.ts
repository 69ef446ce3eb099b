import type { FixtureCatalogue } from '../fixtures/corpus.ts';

/** What the shared global setup hands to integration tests through `inject('hubTestEnv')`. */
export interface HubTestEnvContext {
  /** Admin (system:masters) kubeconfig file of the shared control plane; hub CRDs are installed. */
  kubeconfigPath: string;
  /** `https://127.0.0.1:PORT` of the shared kube-apiserver. */
  apiServer: string;
  /** `127.0.0.1:PORT` of the shared distribution registry (plain HTTP). */
  registry: string;
  /** Storage root of the shared registry (holds `docker/registry/v2`). */
  registryStorageDir: string;
  /** The standard fixture corpus, already pushed to `registry`. */
  fixtures: FixtureCatalogue;
}

declare module 'vitest' {
  interface ProvidedContext {
    hubTestEnv: HubTestEnvContext;
  }
}

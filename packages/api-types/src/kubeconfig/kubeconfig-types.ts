/** A kubeconfig document (`kind: Config`), the fields hub reads; unknown fields are kept as they are. */
export interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  clusters?: Array<{ name: string; cluster: KubeconfigCluster }>;
  users?: Array<{ name: string; user: KubeconfigUser }>;
  contexts?: Array<{ name: string; context: KubeconfigContext }>;
  'current-context'?: string;
  [field: string]: unknown;
}

export interface KubeconfigCluster {
  server: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  [field: string]: unknown;
}

export interface KubeconfigUser {
  token?: string;
  /** Re-read as it rotates (projected ServiceAccount tokens). */
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: KubeconfigExec;
  'auth-provider'?: { name: string; config?: Record<string, string> };
  [field: string]: unknown;
}

/** A `client.authentication.k8s.io` credential plugin (kubectl's `exec`). */
export interface KubeconfigExec {
  apiVersion?: string;
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }> | null;
  [field: string]: unknown;
}

export interface KubeconfigContext {
  cluster: string;
  user?: string;
  namespace?: string;
  [field: string]: unknown;
}

/** Where {@link loadKubeconfig} found the configuration, for messages and logs. */
export type KubeconfigSource = 'flag' | 'KUBECONFIG' | 'home' | 'in-cluster';

/** A loaded configuration: every file merged, relative paths made absolute. */
export interface LoadedKubeconfig {
  readonly config: Kubeconfig;
  readonly source: KubeconfigSource;
  /** The files read, in precedence order (for in-cluster: the ServiceAccount directory). */
  readonly files: readonly string[];
}

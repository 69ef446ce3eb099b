import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

/** Inputs of a single-cluster, single-user kubeconfig with client-certificate credentials. */
export interface KubeconfigInput {
  /** `https://127.0.0.1:PORT` */
  server: string;
  /** PEM of the CA that signed the apiserver's serving certificate. */
  caPem: string;
  user: string;
  certPem: string;
  keyPem: string;
  /** Cluster and context name; defaults to `hub-testenv`. */
  clusterName?: string;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Renders a self-contained kubeconfig (certificates inlined as *-data), usable by kubectl and client-node. */
export function renderKubeconfig(input: KubeconfigInput): string {
  const cluster = input.clusterName ?? 'hub-testenv';
  const context = `${input.user}@${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: cluster, cluster: { server: input.server, 'certificate-authority-data': b64(input.caPem) } },
    ],
    users: [
      {
        name: input.user,
        user: { 'client-certificate-data': b64(input.certPem), 'client-key-data': b64(input.keyPem) },
      },
    ],
    contexts: [{ name: context, context: { cluster, user: input.user } }],
    'current-context': context,
    preferences: {},
  });
}

/** Loads a rendered kubeconfig into a client-node `KubeConfig`. */
export function kubeConfigFromString(text: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(text);
  return kc;
}

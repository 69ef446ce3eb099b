import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { KubeconfigError } from './kubeconfig-error.ts';
import type { Kubeconfig, LoadedKubeconfig } from './kubeconfig-types.ts';
import { mergeKubeconfigs } from './merge-kubeconfigs.ts';

/** Where the kubelet mounts a Pod's ServiceAccount token, CA and namespace. */
export const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Options of {@link loadKubeconfig}; the defaults are the process's. */
export interface LoadKubeconfigOptions {
  /** The `--kubeconfig` flag: this one file, which must exist. */
  path?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
  inClusterDir?: string;
}

/**
 * The one kubeconfig rule of every hub CLI and library, kubectl's order: `--kubeconfig`, then `$KUBECONFIG`
 * (a list, merged: the first file to set a value wins; missing files are skipped), then `~/.kube/config`,
 * then the in-cluster ServiceAccount. Throws a {@link KubeconfigError} when none applies.
 */
export function loadKubeconfig(options: LoadKubeconfigOptions = {}): LoadedKubeconfig {
  const env = options.env ?? process.env;
  if (options.path) {
    if (!existsSync(options.path))
      throw new KubeconfigError('KUBECONFIG_NOT_FOUND', `--kubeconfig ${options.path} does not exist`);
    return fromFiles([options.path], 'flag');
  }
  const list = env.KUBECONFIG?.split(delimiter).filter((file) => file !== '');
  if (list?.length) {
    const present = list.filter((file) => existsSync(file));
    if (present.length > 0) return fromFiles(present, 'KUBECONFIG');
  } else {
    const home = join(options.homeDir ?? env.HOME ?? homedir(), '.kube', 'config');
    if (existsSync(home)) return fromFiles([home], 'home');
  }
  const inCluster = inClusterConfig(env, options.inClusterDir ?? IN_CLUSTER_DIR);
  if (inCluster) return inCluster;
  throw new KubeconfigError(
    'KUBECONFIG_NOT_FOUND',
    list?.length
      ? `no file of KUBECONFIG=${env.KUBECONFIG} exists, and this is not a cluster's Pod`
      : 'no kubeconfig: pass --kubeconfig PATH, set KUBECONFIG, create ~/.kube/config, or run in a cluster',
  );
}

function fromFiles(files: readonly string[], source: LoadedKubeconfig['source']): LoadedKubeconfig {
  const parsed = files.map((path) => ({ path, config: readKubeconfig(path) }));
  return { config: mergeKubeconfigs(parsed), source, files };
}

function readKubeconfig(path: string): Kubeconfig {
  let value: unknown;
  try {
    value = parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new KubeconfigError('KUBECONFIG_INVALID', `kubeconfig ${path} could not be read as YAML`, {
      cause,
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new KubeconfigError('KUBECONFIG_INVALID', `kubeconfig ${path} is not a kubeconfig (kind: Config)`);
  return value as Kubeconfig;
}

/** client-go's InClusterConfig as a kubeconfig: the Service's address, the mounted CA, the rotating token. */
function inClusterConfig(
  env: LoadKubeconfigOptions['env'] & object,
  dir: string,
): LoadedKubeconfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = join(dir, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const namespaceFile = join(dir, 'namespace');
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
  const name = 'in-cluster';
  const config: Kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
          'certificate-authority': join(dir, 'ca.crt'),
        },
      },
    ],
    users: [{ name, user: { tokenFile } }],
    contexts: [{ name, context: { cluster: name, user: name, ...(namespace ? { namespace } : {}) } }],
    'current-context': name,
  };
  return { config, source: 'in-cluster', files: [dir] };
}

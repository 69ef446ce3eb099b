import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { promisify } from 'node:util';
import {
  type Kubeconfig,
  KubeconfigError,
  type KubeconfigExec,
  type LoadedKubeconfig,
  selectContext,
} from '@hub/api-types/kubeconfig';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from './kube-api-error.ts';

/** What a transport connects with: the server, its TLS material and the credentials, re-read as they rotate. */
export interface KubeConnection {
  readonly server: string;
  readonly tls: {
    ca?: string | Buffer;
    cert?: string | Buffer;
    key?: string | Buffer;
    rejectUnauthorized?: boolean;
    servername?: string;
  };
  /** Authorization (and impersonation) headers, lower-case; re-read at most every 10 s. */
  headers(): Promise<Record<string, string>>;
}

/**
 * Where a transport connects: a kubeconfig from `loadKubeconfig()` (`@hub/api-types/kubeconfig`), a plain
 * kubeconfig document, or a client-node `KubeConfig`. The first two never load client-node, whose generated
 * models cost ~85 MiB at load.
 */
export type KubeConnectionSource = LoadedKubeconfig | Kubeconfig | KubeConfig;

const REREAD_MS = 10_000;

export async function kubeConnection(source: KubeConnectionSource): Promise<KubeConnection> {
  if (typeof (source as KubeConfig).applyToHTTPSOptions === 'function')
    return fromClientNode(source as KubeConfig);
  const config =
    'config' in source && 'source' in source ? (source as LoadedKubeconfig).config : (source as Kubeconfig);
  return fromKubeconfig(config);
}

async function fromKubeconfig(config: Kubeconfig): Promise<KubeConnection> {
  const { cluster, user } = selectContext(config);
  if (user['auth-provider'])
    throw new KubeconfigError(
      'KUBECONFIG_UNSUPPORTED',
      `auth-provider "${user['auth-provider'].name}" is not supported; use an exec credential plugin, or pass a client-node KubeConfig`,
    );
  const data = (value: string | undefined) => (value ? Buffer.from(value, 'base64') : undefined);
  const file = async (path: string | undefined) => (path ? readFile(path) : undefined);
  const exec = user.exec ? createExecCredential(user.exec) : undefined;
  const issued = exec ? await exec() : undefined;
  const tls: KubeConnection['tls'] = {};
  const ca = data(cluster['certificate-authority-data']) ?? (await file(cluster['certificate-authority']));
  const cert =
    issued?.cert ?? data(user['client-certificate-data']) ?? (await file(user['client-certificate']));
  const key = issued?.key ?? data(user['client-key-data']) ?? (await file(user['client-key']));
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (cluster['insecure-skip-tls-verify'] === true) tls.rejectUnauthorized = false;
  if (cluster['tls-server-name']) tls.servername = cluster['tls-server-name'];
  const read = async (): Promise<Record<string, string>> => {
    if (exec) {
      const token = (await exec()).token;
      return token ? { authorization: `Bearer ${token}` } : {};
    }
    const token =
      user.token ?? (user.tokenFile ? (await readFile(user.tokenFile, 'utf8')).trim() : undefined);
    if (token) return { authorization: `Bearer ${token}` };
    if (user.username !== undefined && user.password !== undefined)
      return {
        authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`,
      };
    return {};
  };
  return { server: trimmed(cluster.server), tls, headers: cached(read) };
}

async function fromClientNode(kubeConfig: KubeConfig): Promise<KubeConnection> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeApiError(
      'INVALID_CONFIG',
      'the kubeconfig has no current cluster with a server URL; set --kubeconfig or a context',
    );
  }
  const opts: RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(opts);
  const tls: KubeConnection['tls'] = {};
  if (opts.ca) tls.ca = opts.ca as string | Buffer;
  if (opts.cert) tls.cert = opts.cert as string | Buffer;
  if (opts.key) tls.key = opts.key as string | Buffer;
  if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
  if (opts.servername) tls.servername = opts.servername;
  const read = async () => {
    const fresh: RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(fresh);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(fresh.headers ?? {})) {
      if (typeof value === 'string') headers[key.toLowerCase()] = value;
    }
    if (fresh.auth) headers.authorization = `Basic ${Buffer.from(fresh.auth).toString('base64')}`;
    return headers;
  };
  return { server: trimmed(cluster.server), tls, headers: cached(read) };
}

function trimmed(server: string): string {
  return server.replace(/\/+$/, '');
}

// Credentials may rotate (exec plugins, projected ServiceAccount tokens): re-read them, but not per request.
function cached(read: () => Promise<Record<string, string>>): () => Promise<Record<string, string>> {
  let last: { at: number; headers: Record<string, string> } | undefined;
  return async () => {
    if (last && Date.now() - last.at < REREAD_MS) return last.headers;
    last = { at: Date.now(), headers: await read() };
    return last.headers;
  };
}

interface IssuedCredential {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * kubectl's exec credential plugin (`client.authentication.k8s.io` ExecCredential): runs the command, keeps its
 * answer until `expirationTimestamp`. A certificate it issues is used from the first answer on (TLS material is
 * fixed once the connection pool exists).
 */
function createExecCredential(exec: KubeconfigExec): () => Promise<IssuedCredential> {
  const run = promisify(execFile);
  let current: { credential: IssuedCredential; expires: number } | undefined;
  return async () => {
    if (current && Date.now() < current.expires) return current.credential;
    const env = { ...process.env };
    for (const { name, value } of exec.env ?? []) env[name] = value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify({
      apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: { interactive: false },
    });
    let status: {
      token?: string;
      clientCertificateData?: string;
      clientKeyData?: string;
      expirationTimestamp?: string;
    };
    try {
      const { stdout } = await run(exec.command, exec.args ?? [], {
        env,
        timeout: 60_000,
        maxBuffer: 1 << 20,
      });
      status = (JSON.parse(stdout) as { status?: typeof status }).status ?? {};
    } catch (cause) {
      throw new KubeconfigError('KUBECONFIG_INVALID', `the exec credential plugin ${exec.command} failed`, {
        cause,
      });
    }
    const credential: IssuedCredential = {
      ...(status.token ? { token: status.token } : {}),
      ...(status.clientCertificateData ? { cert: Buffer.from(status.clientCertificateData) } : {}),
      ...(status.clientKeyData ? { key: Buffer.from(status.clientKeyData) } : {}),
    };
    const expires = status.expirationTimestamp
      ? Date.parse(status.expirationTimestamp)
      : Number.POSITIVE_INFINITY;
    current = { credential, expires: Number.isNaN(expires) ? Number.POSITIVE_INFINITY : expires };
    return credential;
  };
}

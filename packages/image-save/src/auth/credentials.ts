import { spawn } from 'node:child_process';
import { AuthError } from './auth-error.ts';
import { type DockerConfig, loadDockerConfig, normalizeRegistryHost } from './docker-config.ts';

/** Credentials for one registry: a user/password pair, or an identity (refresh) token. */
export type Credentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'identity-token'; username?: string; token: string };

/** Looks up credentials for a registry host (e.g. `docker.io`, `127.0.0.1:5000`). */
export type CredentialProvider = (host: string) => Promise<Credentials | undefined>;

/** Runs `docker-credential-<helper> get` with the server URL on stdin and returns its stdout. */
export type HelperRunner = (helper: string, serverUrl: string) => Promise<string>;

/** Options for {@link dockerCredentials}. */
export interface DockerCredentialsOptions {
  /** A config already loaded; otherwise read from `$DOCKER_CONFIG` / `~/.docker` on first use. */
  config?: DockerConfig;
  configPath?: string;
  /** Replaces the process runner for credential helpers (tests). */
  runHelper?: HelperRunner;
}

/**
 * Credentials from docker's config.json, resolved as docker does: a per-host `credHelpers` entry,
 * then the `credsStore`, then a static `auths` entry (`auth`, `username`/`password`, `identitytoken`).
 */
export function dockerCredentials(opts: DockerCredentialsOptions = {}): CredentialProvider {
  let config: Promise<DockerConfig> | undefined = opts.config ? Promise.resolve(opts.config) : undefined;
  const run = opts.runHelper ?? runCredentialHelper;
  const cache = new Map<string, Promise<Credentials | undefined>>();
  return (rawHost) => {
    const host = normalizeRegistryHost(rawHost);
    let found = cache.get(host);
    if (!found) {
      config ??= loadDockerConfig(opts.configPath);
      found = config.then((c) => resolveCredentials(host, c, run));
      cache.set(host, found);
    }
    return found;
  };
}

/** Resolves credentials for a normalised host from a parsed config. */
export async function resolveCredentials(
  host: string,
  config: DockerConfig,
  runHelper: HelperRunner = runCredentialHelper,
): Promise<Credentials | undefined> {
  const key = normalizeRegistryHost(host);
  const serverUrl = key === 'docker.io' ? 'https://index.docker.io/v1/' : key;
  const helper = config.credHelpers[key] ?? config.credsStore;
  if (helper) {
    const fromHelper = await fromCredentialHelper(helper, serverUrl, runHelper);
    if (fromHelper) return fromHelper;
  }
  const entry = config.auths[key];
  if (!entry) return undefined;
  if (entry.identitytoken) {
    return {
      kind: 'identity-token',
      token: entry.identitytoken,
      ...(entry.username ? { username: entry.username } : {}),
    };
  }
  if (entry.username && entry.password)
    return { kind: 'basic', username: entry.username, password: entry.password };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0)
      return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

async function fromCredentialHelper(
  helper: string,
  serverUrl: string,
  run: HelperRunner,
): Promise<Credentials | undefined> {
  let out: string;
  try {
    out = await run(helper, serverUrl);
  } catch (error) {
    // A helper that has no entry for this server says so on stdout/exit code; treat as "no credentials".
    if (error instanceof AuthError && error.code === 'HELPER_FAILED' && /not found/i.test(error.message))
      return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(out);
  } catch (cause) {
    throw new AuthError('HELPER_FAILED', `docker-credential-${helper} printed something that is not JSON.`, {
      cause,
    });
  }
  const { Username, Secret } = (parsed ?? {}) as { Username?: unknown; Secret?: unknown };
  if (typeof Secret !== 'string' || Secret === '') return undefined;
  if (Username === '<token>') return { kind: 'identity-token', token: Secret };
  return { kind: 'basic', username: typeof Username === 'string' ? Username : '', password: Secret };
}

/** Default {@link HelperRunner}: spawns `docker-credential-<helper> get`. */
export function runCredentialHelper(helper: string, serverUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${helper}`, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.resume();
    child.on('error', (cause) =>
      reject(
        new AuthError(
          'HELPER_FAILED',
          `Could not run docker-credential-${helper}; install it or fix your docker config.`,
          {
            cause,
          },
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else if (/credentials not found/i.test(stdout)) {
        reject(
          new AuthError(
            'HELPER_FAILED',
            `docker-credential-${helper}: credentials not found for ${serverUrl}.`,
          ),
        );
      } else {
        reject(new AuthError('HELPER_FAILED', `docker-credential-${helper} get exited with code ${code}.`));
      }
    });
    child.stdin.end(serverUrl);
  });
}

import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestEnvError } from '../errors.ts';
import { freePort } from '../net/free-port.ts';
import { pollUntil, simpleRequest } from '../net/https-request.ts';
import { spawnManaged } from '../process/managed-process.ts';
import { type RegistryTokenAuth, renderRegistryConfig } from './registry-config.ts';

/** The Debian `docker-registry` binary (distribution 2.8); scripts/setup-system.sh installs it. */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** Storage root (the directory holding `docker/registry/v2`); a temporary directory when omitted. */
  storageDir?: string;
  /** Serve `storageDir` read-only (distribution's maintenance read-only mode: pushes get 405). */
  readOnly?: boolean;
  /** Registry binary; defaults to `HUB_TESTENV_REGISTRY` or /usr/bin/docker-registry. */
  binary?: string;
  startTimeoutMs?: number;
  /** Token authentication against a token server; `/v2/` then answers 401, which counts as ready. */
  auth?: RegistryTokenAuth;
  /** Listen address (default 127.0.0.1); a test node's host address so that the node pulls from it too. */
  host?: string;
}

/** A running distribution registry on 127.0.0.1, plain HTTP. */
export interface Registry extends AsyncDisposable {
  /** `127.0.0.1:PORT`, for image references and `skopeo --tls-verify=false`. */
  readonly host: string;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly storageDir: string;
  readonly readOnly: boolean;
  readonly pid: number;
  /** Stops the registry; removes the storage directory only when it was a temporary one it created. */
  stop(): Promise<void>;
}

/** Starts the real distribution registry with a generated configuration and waits until `/v2/` answers. */
export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const binary = options.binary ?? process.env.HUB_TESTENV_REGISTRY ?? REGISTRY_BINARY;
  try {
    accessSync(binary, constants.X_OK);
  } catch (cause) {
    throw new TestEnvError(
      'REGISTRY_NOT_INSTALLED',
      `${binary} is missing: run scripts/setup-system.sh (installs the Debian docker-registry package)`,
      { cause },
    );
  }
  const configDir = await mkdtemp(join(tmpdir(), 'hub-registry-config-'));
  const ownsStorage = options.storageDir === undefined;
  const storageDir = options.storageDir ?? (await mkdtemp(join(tmpdir(), 'hub-registry-')));
  const readOnly = options.readOnly ?? false;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const configPath = join(configDir, 'config.yml');
    await writeFile(
      configPath,
      renderRegistryConfig({
        port,
        ...(options.host ? { host: options.host } : {}),
        storageDir,
        readOnly,
        secret: randomBytes(16).toString('hex'),
        ...(options.auth ? { auth: options.auth } : {}),
      }),
    );
    const proc = spawnManaged('docker-registry', binary, ['serve', configPath]);
    const address = options.host ?? '127.0.0.1';
    const url = `http://${address}:${port}`;
    try {
      await pollUntil(
        async () =>
          (await simpleRequest(`${url}/v2/`, { timeoutMs: 1000 })).status === (options.auth ? 401 : 200)
            ? true
            : undefined,
        {
          timeoutMs,
          intervalMs: 50,
          abortIf: () =>
            proc.hasExited()
              ? new TestEnvError('PROCESS_EXITED', 'docker-registry exited during start-up', {
                  output: proc.output(),
                })
              : undefined,
          onTimeout: () =>
            new TestEnvError('START_TIMEOUT', `docker-registry did not answer /v2/ within ${timeoutMs} ms`, {
              output: proc.output(),
            }),
        },
      );
    } catch (error) {
      await proc.stop();
      lastError = error;
      if (error instanceof TestEnvError && /address already in use/.test(error.output ?? '')) continue;
      break;
    }
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await proc.stop();
        await rm(configDir, { recursive: true, force: true });
        if (ownsStorage) await rm(storageDir, { recursive: true, force: true });
      })();
      return stopping;
    };
    return {
      host: `${address}:${port}`,
      url,
      storageDir,
      readOnly,
      pid: proc.pid,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  }
  await rm(configDir, { recursive: true, force: true });
  if (ownsStorage) await rm(storageDir, { recursive: true, force: true });
  throw lastError;
}

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuthError } from './auth-error.ts';

/** One `auths` entry of a docker config.json. */
export interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** The parts of docker's config.json that matter for pulling. */
export interface DockerConfig {
  auths: Record<string, DockerAuthEntry>;
  credHelpers: Record<string, string>;
  credsStore?: string;
}

/** Where docker's config.json lives: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/**
 * Reads docker's config.json. A missing file is an empty config; malformed JSON is an error that names
 * the file (and no contents). Keys of `auths` and `credHelpers` are normalised with {@link normalizeRegistryHost}.
 */
export async function loadDockerConfig(path: string = dockerConfigPath()): Promise<DockerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { auths: {}, credHelpers: {} };
  }
  return parseDockerConfig(text, path);
}

/** Parses config.json text (see {@link loadDockerConfig}). */
export function parseDockerConfig(text: string, source = 'config.json'): DockerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new AuthError('DOCKER_CONFIG_INVALID', `${source} is not valid JSON; fix or remove it.`, { cause });
  }
  const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const auths: Record<string, DockerAuthEntry> = {};
  for (const [key, value] of Object.entries(asRecord(obj.auths))) {
    const entry = asRecord(value);
    const out: DockerAuthEntry = {};
    for (const field of ['auth', 'username', 'password', 'identitytoken', 'registrytoken'] as const) {
      const v = entry[field];
      if (typeof v === 'string' && v !== '') out[field] = v;
    }
    // The first spelling wins when several keys normalise to one host (docker does the same).
    const host = normalizeRegistryHost(key);
    auths[host] ??= out;
  }
  const credHelpers: Record<string, string> = {};
  for (const [key, value] of Object.entries(asRecord(obj.credHelpers))) {
    if (typeof value === 'string' && value !== '') credHelpers[normalizeRegistryHost(key)] = value;
  }
  const config: DockerConfig = { auths, credHelpers };
  if (typeof obj.credsStore === 'string' && obj.credsStore !== '') config.credsStore = obj.credsStore;
  return config;
}

const DOCKER_HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/**
 * Normalises a registry key or host: drops the scheme and any path, lower-cases, and maps every
 * Docker Hub spelling (`https://index.docker.io/v1/`, `registry-1.docker.io`, …) to `docker.io`.
 */
export function normalizeRegistryHost(key: string): string {
  let host = key.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  host = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

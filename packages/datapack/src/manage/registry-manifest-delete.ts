import { DataPackError } from '../errors.ts';

/** The registry a hub deletes manifests from when a tag is deleted. */
export interface HubRegistryOptions {
  /** The registry's base URL: `https://registry.example.com`, or `http://127.0.0.1:5000` for a plain one. */
  url: string;
  /** Per registry request (default 10 s). */
  timeoutMs?: number | undefined;
}

/**
 * Who deletes: the signed-in user's name and Kubernetes token, sent to the token realm as Basic
 * credentials (a ServiceAccount's name as `<ns>/<name>`, see {@link registryUsername}).
 */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** Every manifest kind a tag may name: OCI and Docker, single images and indexes. */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function registryError(message: string, status?: number): DataPackError {
  return new DataPackError('REGISTRY', message, { ...(status === undefined ? {} : { status }) });
}

function refused(repository: string, tag: string, status: number): DataPackError {
  return new DataPackError(
    'FORBIDDEN',
    `the registry refused to delete ${repository}:${tag} for this user.`,
    {
      status,
    },
  );
}

/** The `Bearer` challenge's parameters (`realm`, `service`), or undefined for any other scheme. */
function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (header === null || !/^\s*bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.matchAll(/([a-z_]+)\s*=\s*"((?:[^"\\]|\\.)*)"/gi)) {
    params[(match[1] as string).toLowerCase()] = (match[2] as string).replace(/\\(.)/g, '$1');
  }
  return params.realm === undefined ? undefined : params;
}

/**
 * The username as Basic credentials can carry it (no `:`): a ServiceAccount's
 * `system:serviceaccount:<ns>:<name>` becomes `<ns>/<name>`, the form the token server accepts.
 */
export function registryUsername(username: string): string {
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  return account ? `${account[1]}/${account[2]}` : username;
}

/** A registry token for pull and delete on `repository`, from the realm the registry named. */
async function fetchToken(
  challenge: Record<string, string>,
  repository: string,
  credentials: RegistryCredentials,
  timeoutMs: number,
): Promise<string> {
  const url = new URL(challenge.realm as string);
  if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
  url.searchParams.set('scope', `repository:${repository}:pull,delete`);
  const basic = Buffer.from(`${registryUsername(credentials.username)}:${credentials.password}`).toString(
    'base64',
  );
  const response = await fetch(url, {
    headers: { authorization: `Basic ${basic}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw registryError(
      `the registry's token server refused the user (HTTP ${response.status}).`,
      response.status,
    );
  }
  const body = (await response.json()) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === 'string' ? body.token : body.access_token;
  if (typeof token !== 'string') throw registryError("the registry's token server answered no token.");
  return token;
}

/**
 * Deletes the manifest that `repository:tag` names, through the distribution API: a HEAD for its
 * digest (the Accept list of OCI and Docker manifests and indexes), then `DELETE
 * /v2/<name>/manifests/<digest>`. A token-auth registry's 401 challenge is answered with a token from
 * its realm for `pull,delete`, got with the user's own credentials, so the token server decides.
 * Resolves `false` when the registry has no such tag (nothing to delete).
 */
export async function deleteRegistryManifest(
  registry: HubRegistryOptions,
  repository: string,
  tag: string,
  credentials: RegistryCredentials,
): Promise<boolean> {
  const base = registry.url.replace(/\/+$/, '');
  const timeoutMs = registry.timeoutMs ?? 10_000;
  let authorization: string | undefined;
  const send = async (method: 'HEAD' | 'DELETE', reference: string): Promise<Response> => {
    const url = `${base}/v2/${repository}/manifests/${reference}`;
    const call = () =>
      fetch(url, {
        method,
        headers: { accept: MANIFEST_ACCEPT, ...(authorization ? { authorization } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
      });
    let response = await call();
    const challenge =
      response.status === 401 ? bearerChallenge(response.headers.get('www-authenticate')) : undefined;
    if (challenge !== undefined && authorization === undefined) {
      await response.body?.cancel();
      authorization = `Bearer ${await fetchToken(challenge, repository, credentials, timeoutMs)}`;
      response = await call();
    }
    return response;
  };
  const head = await send('HEAD', tag);
  if (head.status === 404) return false;
  if (head.status === 401 || head.status === 403) throw refused(repository, tag, head.status);
  const digest = head.headers.get('docker-content-digest');
  if (!head.ok || digest === null) {
    throw registryError(`the registry answered HTTP ${head.status} for ${repository}:${tag}.`, head.status);
  }
  const deleted = await send('DELETE', digest);
  await deleted.body?.cancel();
  if (deleted.status === 202 || deleted.ok) return true;
  if (deleted.status === 404) return false;
  if (deleted.status === 401 || deleted.status === 403) throw refused(repository, tag, deleted.status);
  // 405 UNSUPPORTED: the registry runs without storage.delete.enabled.
  throw registryError(
    `the registry answered HTTP ${deleted.status} to deleting ${repository}:${tag}.`,
    deleted.status,
  );
}

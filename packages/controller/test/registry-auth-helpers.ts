// Shared set-up of the registry-auth integration tests: real ServiceAccounts with TokenRequest tokens, catalogue
// objects in the real apiserver, a cache snapshot of them, and skopeo.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RegistryAuthCache } from '@hub/controller';
import type { CatalogueKind, CatalogueKinds } from '@hub/reconcilers';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';

const run = promisify(execFile);

export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** Creates a namespace and ServiceAccounts in it, and mints a TokenRequest token for each. */
export async function serviceAccountTokens<N extends string>(
  kc: KubeConfig,
  namespace: string,
  names: readonly N[],
): Promise<Record<N, string>> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const tokens = {} as Record<N, string>;
  for (const name of names) {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
    const request = await core.createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const token = request.status?.token;
    if (!token) throw new Error(`no token for ${namespace}/${name}`);
    tokens[name] = token;
  }
  return tokens;
}

const GROUP = { group: 'imagehub.sealos.io', version: 'v1' };

/** Creates a catalogue object as the admin. */
export async function createCatalogueObject(kc: KubeConfig, plural: string, body: object): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({ ...GROUP, plural, body });
}

/** Deletes a catalogue object as the admin (a missing one is fine). */
export async function deleteCatalogueObject(kc: KubeConfig, plural: string, name: string): Promise<void> {
  await kc
    .makeApiClient(CustomObjectsApi)
    .deleteClusterCustomObject({ ...GROUP, plural, name })
    .catch(() => undefined);
}

export async function getRepositoryStatus(
  kc: KubeConfig,
  name: string,
): Promise<{ downloadCount?: number } | undefined> {
  const repo = (await kc
    .makeApiClient(CustomObjectsApi)
    .getClusterCustomObject({ ...GROUP, plural: 'repositories', name })) as {
    status?: { downloadCount?: number };
  };
  return repo.status;
}

/**
 * A RegistryAuthCache filled from the real apiserver on `refresh()`: the same objects an informer would hold,
 * listed at one moment (the controller's informers are tested with the controller).
 */
export function snapshotCache(kc: KubeConfig): RegistryAuthCache & { refresh(): Promise<void> } {
  const api = kc.makeApiClient(CustomObjectsApi);
  const store = new Map<string, unknown>();
  return {
    get<K extends CatalogueKind>(kind: K, name: string) {
      return store.get(`${kind}/${name}`) as CatalogueKinds[K] | undefined;
    },
    async refresh() {
      store.clear();
      for (const [kind, plural] of [
        ['Organization', 'organizations'],
        ['Repository', 'repositories'],
      ] as const) {
        const list = (await api.listClusterCustomObject({ ...GROUP, plural })) as {
          items: { metadata: { name: string } }[];
        };
        for (const item of list.items) store.set(`${kind}/${item.metadata.name}`, item);
      }
    },
  };
}

export interface SkopeoResult {
  ok: boolean;
  stderr: string;
}

/** Runs skopeo with a missing auth file (no ambient credentials) and never throws. */
export async function skopeo(args: readonly string[]): Promise<SkopeoResult> {
  try {
    await run('skopeo', [...args], {
      timeout: 60_000,
      env: {
        ...process.env,
        REGISTRY_AUTH_FILE: join(tmpdir(), `hub-registry-auth-none-${process.pid}.json`),
      },
    });
    return { ok: true, stderr: '' };
  } catch (error) {
    return { ok: false, stderr: String((error as { stderr?: unknown }).stderr ?? error) };
  }
}

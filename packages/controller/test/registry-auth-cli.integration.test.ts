// hub-controller with --registry-token-*: the token server on the controller's real informer cache, on a
// control plane of its own (the controller reconciles cluster-wide).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@hub/controller';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from './harness.ts';
import { createCatalogueObject, serviceAccountTokens } from './registry-auth-helpers.ts';

let cluster: TestCluster;
let dir: string;
let alice: string;
const abort = new AbortController();
const stderr: string[] = [];
let exit: Promise<number>;

beforeAll(async () => {
  cluster = await startTestCluster();
  dir = await mkdtemp(join(tmpdir(), 'hub-registry-cli-'));
  const kc = cluster.controlPlane.kubeConfig;
  ({ alice } = await serviceAccountTokens(kc, 'user-system', ['alice']));
  await createCatalogueObject(kc, 'organizations', {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Organization',
    metadata: { name: 'team' },
    spec: { name: 'team', creator: 'alice' },
  });
  exit = runCli(
    [
      ...['--kubeconfig', cluster.controlPlane.kubeconfigPath, '--webhook-port', '0'],
      ...['--metrics-bind-address', '0', '--health-probe-bind-address', '0'],
      ...['--registry-token-bind-address', '127.0.0.1:0', '--registry-token-key-dir', join(dir, 'keys')],
      ...['--registry-token-cert-out', join(dir, 'root.crt'), '--registry-token-ttl', '2m'],
      ...['--registry-token-service', 'hub-registry'],
    ],
    {
      stdout: { write: () => true },
      stderr: { write: (text: string) => stderr.push(text) },
      env: {},
      signal: abort.signal,
      isTTY: false,
    },
  );
});

afterAll(async () => {
  abort.abort();
  if (exit) expect(await exit).toBe(0);
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function pushGranted(realm: string): Promise<boolean> {
  const response = await fetch(`${realm}?service=hub-registry&scope=repository:team/app:pull,push`, {
    headers: { authorization: `Basic ${Buffer.from(`alice:${alice}`).toString('base64')}` },
  });
  const { token, expires_in } = (await response.json()) as { token: string; expires_in: number };
  expect(expires_in).toBe(120);
  const access = decodeJwt(token).access as { actions: string[] }[];
  return access.some((entry) => entry.actions.includes('push'));
}

it('serves tokens from the informer cache and follows Organization changes', async () => {
  const realm = await eventually('the token server to listen', () => {
    const line = stderr
      .join('')
      .split('\n')
      .find((l) => l.includes('registry token server listening'));
    return line ? (JSON.parse(line) as { realm: string }).realm : undefined;
  });
  expect((await readFile(join(dir, 'root.crt'), 'utf8')).match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  expect((await fetch(`${realm}?service=elsewhere&scope=repository:team/app:pull`)).status).toBe(400);

  await eventually('push for the creator', async () => ((await pushGranted(realm)) ? true : undefined));

  const api = cluster.controlPlane.kubeConfig.makeApiClient(CustomObjectsApi);
  const org = (await api.getClusterCustomObject({
    group: 'imagehub.sealos.io',
    version: 'v1',
    plural: 'organizations',
    name: 'team',
  })) as { spec: Record<string, unknown> };
  await api.replaceClusterCustomObject({
    group: 'imagehub.sealos.io',
    version: 'v1',
    plural: 'organizations',
    name: 'team',
    body: { ...org, spec: { ...org.spec, creator: 'someone-else', manager: [] } },
  });
  await eventually('push to go with the manager entry', async () =>
    (await pushGranted(realm)) ? undefined : true,
  );
});

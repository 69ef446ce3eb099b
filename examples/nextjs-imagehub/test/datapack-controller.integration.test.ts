import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  type Catalogue,
  collectionPath,
  createCatalogue,
  createDataPackClient,
  createKubeTransport,
  isDataPackError,
  KUBE_RESOURCES,
  type KubeTransport,
  objectPath,
} from '@hub/datapack';
import { freePort, type HubTestEnv, startHubTestEnv } from '@hub/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_DIR } from '../server/start-next.ts';
import { seedCatalogue } from './seed-catalogue.ts';

// The DataPack controller as users run it: hub-controller (its reconcilers and admission webhooks,
// registered with the apiserver) against a real control plane, read through both client modes.
let env: HubTestEnv;
let controller: ChildProcess;
let transport: KubeTransport;
let catalogue: Catalogue;
const log: string[] = [];

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (controller.exitCode !== null) break;
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`hub-controller not ready:\n${log.slice(-20).join('')}`);
}

interface StoredPack {
  metadata: { name: string };
  status?: {
    codes?: number;
    message?: string;
    conditions?: { type: string; status: string; reason: string }[];
  };
}

const packPath = (name: string) => objectPath(KUBE_RESOURCES.DataPack, name);

async function createPack(name: string, spec: Record<string, unknown>): Promise<void> {
  await transport.request(collectionPath(KUBE_RESOURCES.DataPack), {
    verb: 'create',
    method: 'POST',
    body: { apiVersion: 'imagehub.sealos.io/v1', kind: 'DataPack', metadata: { name }, spec },
  });
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  env = await startHubTestEnv();
  transport = await createKubeTransport(env.controlPlane.kubeConfig);
  await seedCatalogue(transport);
  const [webhook, probe] = [await freePort(), await freePort()];
  controller = spawn(
    process.execPath,
    [
      '--conditions=@hub/source',
      join(EXAMPLE_DIR, '../../packages/controller/src/cli.ts'),
      '--kubeconfig',
      env.controlPlane.kubeconfigPath,
      '--webhook-port',
      String(webhook),
      '--webhook-url',
      `https://127.0.0.1:${webhook}`,
      '--metrics-bind-address',
      '0',
      '--health-probe-bind-address',
      `127.0.0.1:${probe}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  controller.stderr?.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  await waitReady(`http://127.0.0.1:${probe}/readyz`);
  catalogue = createCatalogue({ kubeConfig: env.controlPlane.kubeConfig });
  await catalogue.ready(AbortSignal.timeout(30_000));
}, 300_000);

afterAll(async () => {
  await catalogue?.close();
  await transport?.close();
  if (controller?.exitCode === null) {
    const exited = new Promise((done) => controller.once('exit', done));
    controller.kill('SIGTERM');
    await exited;
  }
  await env?.stop();
});

describe('the DataPack controller in hub-controller', () => {
  it('gives the same result as direct mode, OK and ERROR alike', async () => {
    const cr = createDataPackClient({
      mode: 'cr',
      kubeConfig: env.controlPlane.kubeConfig,
      timeoutMs: 30_000,
    });
    const direct = createDataPackClient({ mode: 'direct', catalogue });
    for (const request of [
      { type: 'detail', names: ['labring/mysql:v8.0.31'] },
      { type: 'grid', names: ['labring/mysql:v8.0.31', 'labring/redis:7.2.4', 'bitnami/nginx:1.25.4'] },
      { type: 'base', names: ['labring/mysql:v8.0.31', 'labring/mysql:v0.0.1'] },
    ]) {
      const viaCr = await cr.get(request);
      expect(viaCr).toEqual(await direct.get(request));
    }
    const error = await cr.get({ type: 'grid', names: ['labring/redis:7.2.4', 'nobody/nothing:1'] });
    expect(error.codes).toBe(3);
    expect(error.message).toBe('image not found: "nobody/nothing:1".');
    expect(Object.keys(error.datas)).toEqual(['labring/redis:7.2.4']);
    await cr.close();
  });

  it('stores ERROR with a Ready condition, and turns OK when the missing Image appears', async () => {
    await createPack('waiting', { type: 'grid', names: ['labring/redis:7.2.4', 'labring/redis:8.0.0'] });
    const failed = await eventually(
      () => transport.request<StoredPack>(packPath('waiting'), { verb: 'get' }),
      (p) => p.status?.codes === 3,
      'ERROR',
    );
    expect(failed.status?.message).toBe('image not found: "labring/redis:8.0.0".');
    expect(failed.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Incomplete',
    });
    await transport.request(collectionPath(KUBE_RESOURCES.Image), {
      verb: 'create',
      method: 'POST',
      body: {
        apiVersion: 'imagehub.sealos.io/v1',
        kind: 'Image',
        metadata: { name: 'labring.redis.8.0.0' },
        spec: {
          name: 'labring/redis:8.0.0',
          detail: { creatTime: '2024-06-01T00:00:00Z', description: 'Redis 8' },
        },
      },
    });
    const ok = await eventually(
      () => transport.request<StoredPack>(packPath('waiting'), { verb: 'get' }),
      (p) => p.status?.codes === 1,
      'OK after the Image appeared',
    );
    expect(ok.status?.message).toBeUndefined();
    expect(ok.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Gathered',
    });
  });

  it('deletes a pack when its expireTime has passed', async () => {
    await createPack('short-lived', { type: 'base', names: ['labring/mysql:v8.0.31'], expireTime: '3s' });
    const ok = await eventually(
      () =>
        transport.request<StoredPack & { metadata: { creationTimestamp: string } }>(packPath('short-lived'), {
          verb: 'get',
        }),
      (p) => p.status?.codes === 1,
      'OK',
    );
    const expiresAt = Date.parse(ok.metadata.creationTimestamp) + 3000;
    await eventually(
      () =>
        transport.request(packPath('short-lived'), { verb: 'get' }).then(
          () => 'present',
          (error: { code?: string }) => error.code ?? 'error',
        ),
      (state) => state === 'NOT_FOUND',
      'the expired pack to be deleted',
    );
    // Gone, and not before creationTimestamp + expireTime (same clock: one machine).
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
  });

  it('admission rejects an unusable duration, an unknown type and bad names with a clear message', async () => {
    const rejection = async (spec: Record<string, unknown>) => {
      const error = await createPack(`bad-${Math.random().toString(36).slice(2, 8)}`, spec).then(
        () => undefined,
        (e: unknown) => e as { status?: number; detail?: string },
      );
      return error;
    };
    const oneDay = await rejection({ type: 'grid', names: ['labring/mysql:v8.0.31'], expireTime: '1d' });
    // The CRD's own pattern may answer first; either way the field and the value are named.
    expect(oneDay?.status).toBe(422);
    expect(oneDay?.detail).toContain('spec.expireTime');
    expect(oneDay?.detail).toContain('1d');
    const badName = await rejection({ type: 'base', names: ['a/:b'] });
    expect(badName?.detail).toContain('a/:b');
    // A duration the schema's pattern accepts but that would delete the pack at once: the webhook says so.
    const zero = await rejection({ type: 'base', names: ['labring/mysql:v8.0.31'], expireTime: '-5m' });
    expect(zero?.detail).toContain('spec.expireTime "-5m" must be positive, e.g. 2h');
    const cr = createDataPackClient({ mode: 'cr', kubeConfig: env.controlPlane.kubeConfig });
    const typed = await cr.get({ type: 'full', names: ['labring/mysql:v8.0.31'] }).catch((e: unknown) => e);
    expect(isDataPackError(typed) && typed.field).toBe('type');
    await cr.close();
  });
});

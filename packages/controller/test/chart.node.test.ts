// The controller deployed the way users deploy it, on a real node: the image built by image/build-image.ts,
// `helm install` exactly as docs/deploy.md writes it, probes, webhooks served from the pods through their
// Service, leader failover, a rolling upgrade under admission load, and uninstall keeping the catalogue.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { imageMetadataName, organizationMetadataName } from '@hub/api-types';
import { createKubeTransport, isKubeApiError, type KubeTransport } from '@hub/datapack';
import { ensureDeployTools, type HubTestEnv, startHubTestEnv } from '@hub/test-env';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, PolicyV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartDir, runHelm } from './chart.ts';
import { create, eventually, get, imageObject } from './harness.ts';

const run = promisify(execFile);
const NS = 'hub-system';
const DEPLOYMENT = 'hub-hub-controller';

let env: HubTestEnv;
let helm: (...args: string[]) => Promise<string>;
let admin: KubeTransport;
const users: Record<string, KubeTransport> = {};
let core: CoreV1Api;
let apps: AppsV1Api;
let registry: string;

async function buildAndPush(tag: string): Promise<void> {
  const script = join(import.meta.dirname, '..', 'image', 'build-image.ts');
  await run(
    process.execPath,
    ['--conditions=@hub/source', script, '--push', `${registry}/hub/controller:${tag}`, '--plain-http'],
    { maxBuffer: 16 << 20, timeout: 600_000 },
  );
}

/** The HTTP status and message of a refused request, or 'allowed'. */
async function attempt(fn: () => Promise<unknown>): Promise<{ status: number; message: string } | 'allowed'> {
  try {
    await fn();
    return 'allowed';
  } catch (error) {
    if (!isKubeApiError(error)) throw error;
    return { status: error.status ?? 0, message: error.detail ?? error.message };
  }
}

/** 'evicted', or the HTTP status of a refused eviction. */
async function attemptEviction(fn: () => Promise<unknown>): Promise<'evicted' | number> {
  try {
    await fn();
    return 'evicted';
  } catch (error) {
    return (error as { code?: number }).code ?? 0;
  }
}

async function readyReplicas(): Promise<number> {
  const d = await apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace: NS });
  const s = d.status;
  return s?.updatedReplicas === 2 && s.readyReplicas === 2 && (s.replicas ?? 0) === 2
    ? 2
    : (s?.readyReplicas ?? 0);
}

async function leaseHolder(): Promise<string | undefined> {
  const lease = await env.controlPlane.kubeConfig
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: 'hub-controller', namespace: NS });
  return lease.spec?.holderIdentity?.split('_')[0];
}

const image = (name: string) => imageObject(name, imageMetadataName(name));

beforeAll(async () => {
  env = await startHubTestEnv({ node: true, crds: false });
  registry = env.registry.host;
  core = env.controlPlane.kubeConfig.makeApiClient(CoreV1Api);
  apps = env.controlPlane.kubeConfig.makeApiClient(AppsV1Api);
  const tools = await ensureDeployTools();
  helm = (...args) => runHelm(tools.helm, '--kubeconfig', env.controlPlane.kubeconfigPath, ...args);
  admin = await createKubeTransport(env.controlPlane.kubeConfig);
  await buildAndPush('t1');
  // Catalogue users: bound to the chart's hub-user ClusterRole once it exists (after the install).
  for (const [name, groups] of [
    ['alice', ['hub:users']],
    ['bob', ['hub:users']],
  ] as const) {
    const user = await env.controlPlane.addUser(name, groups);
    users[name] = await createKubeTransport(user.kubeConfig);
  }
}, 900_000);

afterAll(async () => {
  for (const t of Object.values(users)) await t.close();
  await admin?.close();
  await env?.stop();
});

describe('the chart on a real node', () => {
  it('installs as written and both replicas become Ready through their probes within 120 s', async () => {
    const started = Date.now();
    await helm(
      'install',
      'hub',
      chartDir,
      '-n',
      NS,
      '--create-namespace',
      '--set',
      `image.repository=${registry}/hub/controller`,
      '--set',
      'image.tag=t1',
    );
    await eventually(
      'two Ready replicas',
      async () => ((await readyReplicas()) === 2 ? true : undefined),
      120_000,
      500,
    );
    const readyMs = Date.now() - started;
    console.info(`chart: both replicas Ready ${readyMs} ms after helm install`);
    expect(readyMs).toBeLessThan(120_000);
    await admin.request('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      verb: 'create',
      method: 'POST',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'hub-users' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hub-user' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'hub:users' }],
      },
    });
  });

  it("serves the webhooks from the pods through their Service: a manager's Image is admitted, a non-manager's denied", async () => {
    // The first pusher founds alice-org; wait until the webhooks (from their caches) know its manager.
    await eventually(
      'alice to found alice-org',
      async () =>
        (await attempt(() => create(users.alice as KubeTransport, image('alice-org/app:v1')))) === 'allowed'
          ? true
          : undefined,
      60_000,
      500,
    );
    await eventually('alice-org', async () =>
      (
        await get<{ spec: { creator?: string } }>(
          admin,
          'Organization',
          organizationMetadataName('alice-org'),
        )
      )?.spec.creator
        ? true
        : undefined,
    );
    const denied = await eventually('bob to be denied', async () => {
      const result = await attempt(() => create(users.bob as KubeTransport, image('alice-org/app:v2')));
      return result === 'allowed' ? undefined : result;
    });
    expect(denied).toMatchObject({ status: 403 });
    expect(denied.message).toContain('"bob"');
    expect(denied.message).toContain('alice-org');
    expect(await attempt(() => create(users.alice as KubeTransport, image('alice-org/app:v3')))).toBe(
      'allowed',
    );
  });

  it('moves the Lease to the other replica within the lease duration when the leader is deleted, and the new leader reconciles', async () => {
    const leader = await eventually('a leader', leaseHolder);
    const started = Date.now();
    await core.deleteNamespacedPod({ name: leader, namespace: NS });
    const next = await eventually(
      'another leader',
      async () => {
        const holder = await leaseHolder();
        return holder && holder !== leader ? holder : undefined;
      },
      60_000,
      250,
    );
    const failoverMs = Date.now() - started;
    console.info(`chart: lease moved from ${leader} to ${next} in ${failoverMs} ms`);
    const lease = await env.controlPlane.kubeConfig
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'hub-controller', namespace: NS });
    expect(failoverMs).toBeLessThan((lease.spec?.leaseDurationSeconds ?? 15) * 1000 + 5000);
    expect(
      await attempt(() => create(users.alice as KubeTransport, image('alice-org/after-failover:v1'))),
    ).toBe('allowed');
    await eventually('the new leader to catalogue alice-org/after-failover', async () => {
      const org = await get<{ status?: { repos?: string[] } }>(
        admin,
        'Organization',
        organizationMetadataName('alice-org'),
      );
      return org?.status?.repos?.includes('alice-org/after-failover') ? true : undefined;
    });
    await eventually(
      'two Ready replicas again',
      async () => ((await readyReplicas()) === 2 ? true : undefined),
      120_000,
      500,
    );
  });

  it('rolls both replicas to a new tag on helm upgrade with no admission call left without a pod, within the PodDisruptionBudget', async () => {
    await run('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${registry}/hub/controller:t1`,
      `docker://${registry}/hub/controller:t2`,
    ]);
    const pdb = await env.controlPlane.kubeConfig
      .makeApiClient(PolicyV1Api)
      .listNamespacedPodDisruptionBudget({ namespace: NS });
    expect(pdb.items).toHaveLength(1);
    let calls = 0;
    const failures: string[] = [];
    let rolling = true;
    const load = (async () => {
      for (let i = 0; rolling; i++) {
        calls++;
        const result = await attempt(() =>
          (users.alice as KubeTransport).request(`/apis/imagehub.sealos.io/v1/images?dryRun=All`, {
            verb: 'create',
            method: 'POST',
            body: image(`alice-org/roll:v${i}`),
          }),
        );
        if (result !== 'allowed') failures.push(`${result.status} ${result.message}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const started = Date.now();
    await helm('upgrade', 'hub', chartDir, '-n', NS, '--reuse-values', '--set', 'image.tag=t2');
    await eventually(
      'both replicas on t2',
      async () => {
        const pods = await core.listNamespacedPod({ namespace: NS });
        const onT2 = pods.items.filter(
          (p) =>
            p.spec?.containers[0]?.image?.endsWith(':t2') &&
            p.status?.containerStatuses?.[0]?.ready &&
            !p.metadata?.deletionTimestamp,
        );
        return onT2.length === 2 && pods.items.length === 2 ? true : undefined;
      },
      180_000,
      500,
    );
    rolling = false;
    await load;
    console.info(
      `chart: rolled to t2 in ${Date.now() - started} ms; ${calls} admission calls, ${failures.length} failed`,
    );
    // No call may find no pod to answer (that was `connection refused` before shutdownDelaySeconds). Known and
    // reported: the webhook server cuts its connections at once on SIGTERM (closeAllConnections), so a call the
    // apiserver sends on a kept-alive connection to the stopping pod at that moment fails with a broken pipe or
    // reset (1 of ~100 in 1 of 3 runs). Those are counted above and tolerated here until the server drains.
    const cut = /broken pipe|connection reset by peer|EOF/;
    expect(failures.filter((f) => !cut.test(f))).toEqual([]);
    expect(failures.length).toBeLessThanOrEqual(2);
    // The PodDisruptionBudget (minAvailable 1): one eviction passes, the second one at once is refused.
    const pods = (await core.listNamespacedPod({ namespace: NS })).items.map((p) => p.metadata?.name ?? '');
    const evict = (name: string) =>
      attemptEviction(() =>
        core.createNamespacedPodEviction({
          name,
          namespace: NS,
          body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS } },
        }),
      );
    expect(await evict(pods[0] as string)).toBe('evicted');
    expect(await evict(pods[1] as string)).toBe(429);
    await eventually(
      'two Ready replicas again',
      async () => ((await readyReplicas()) === 2 ? true : undefined),
      120_000,
      500,
    );
  });

  it('keeps the CRDs and the catalogue after helm uninstall', async () => {
    await helm('uninstall', 'hub', '-n', NS);
    await eventually('the controller pods to go', async () =>
      (await core.listNamespacedPod({ namespace: NS })).items.length === 0 ? true : undefined,
    );
    expect(await get(admin, 'Image', imageMetadataName('alice-org/app:v1'))).toBeDefined();
    expect(await get(admin, 'Organization', organizationMetadataName('alice-org'))).toBeDefined();
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageMetadataName, type Repository, repositoryMetadataName } from '@hub/api-types';
import { startFaultProxy } from '@hub/test-env';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  create,
  eventually,
  freeLoopbackPort,
  get,
  imageObject,
  startTestCluster,
  type TestCluster,
} from './harness.ts';

// Two real hub-controller processes (the committed bin, as a Deployment runs it) campaign for one Lease.
const BIN = fileURLToPath(new URL('../bin/hub-controller.js', import.meta.url));
const LEASE = 'hub-controller-test';
const CUT_LEASE = 'hub-controller-cut-test';
const LEASE_DURATION_MS = 15_000;
const RENEW_DEADLINE_MS = 10_000;

interface Replica {
  name: string;
  child: ChildProcess;
  probe: number;
  metrics: number;
  exit: Promise<number | null>;
  output: string[];
}

let cluster: TestCluster;
const replicas: Replica[] = [];

async function startReplica(
  name: string,
  { kubeconfig = cluster.controlPlane.kubeconfigPath, lease = LEASE } = {},
): Promise<Replica> {
  const [probe, metrics] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const child = spawn(
    process.execPath,
    [
      BIN,
      '--kubeconfig',
      kubeconfig,
      '--leader-elect',
      '--leader-election-namespace',
      'kube-system',
      '--leader-election-id',
      lease,
      '--webhook-port',
      '0',
      '--metrics-bind-address',
      `127.0.0.1:${metrics}`,
      '--health-probe-bind-address',
      `127.0.0.1:${probe}`,
    ],
    { env: { ...process.env, POD_NAME: name }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const replica = { name, child, probe, metrics, exit, output };
  replicas.push(replica);
  return replica;
}

async function holder(name = LEASE): Promise<string | undefined> {
  try {
    const lease = await cluster.admin.request<{ spec?: { holderIdentity?: string } }>(
      `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`,
      { verb: 'get' },
    );
    return lease.spec?.holderIdentity ?? '';
  } catch {
    return undefined;
  }
}

async function scrape(replica: Replica): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${replica.metrics}/metrics`);
  return res.text();
}

async function ready(replica: Replica): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${replica.probe}/readyz`).catch(() => undefined);
  return res?.status === 200;
}

const masterStatus = (text: string) => /^leader_election_master_status\{name="[^"]+"\} (\d)/m.exec(text)?.[1];

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  for (const r of replicas)
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  await Promise.all(replicas.map((r) => r.exit));
  await cluster?.stop();
});

it('elects exactly one leader, fails over within the lease duration, and releases the lease on SIGTERM', async () => {
  await create(cluster.admin, imageObject('lead/app:v1', imageMetadataName('lead/app:v1')));
  const a = await startReplica('replica-a');
  const b = await startReplica('replica-b');
  const first = await eventually(
    'a leader',
    async () => {
      const h = await holder();
      return h === 'replica-a' || h === 'replica-b' ? h : undefined;
    },
    30_000,
  );
  await eventually(
    'both replicas ready (standbys are ready too)',
    async () => ((await ready(a)) && (await ready(b)) ? true : undefined),
    30_000,
  );
  const leader = first === 'replica-a' ? a : b;
  const standby = leader === a ? b : a;
  await eventually('the leader to reconcile', async () =>
    /controller_runtime_reconcile_total\{[^}]*result="success"/.test(await scrape(leader)) ? true : undefined,
  );
  expect(masterStatus(await scrape(leader))).toBe('1');
  const standbyMetrics = await scrape(standby);
  expect(masterStatus(standbyMetrics)).toBe('0');
  // The standby runs no controllers at all.
  expect(standbyMetrics).not.toMatch(/controller_runtime_reconcile_total\{/);
  expect(standbyMetrics).not.toMatch(/controller_runtime_max_concurrent_reconciles\{/);

  // Kill the leader without a chance to release: the standby must wait out the lease, and no longer.
  const killedAt = Date.now();
  leader.child.kill('SIGKILL');
  await eventually(
    'the standby to take over',
    async () => ((await holder()) === standby.name ? true : undefined),
    30_000,
    100,
  );
  const takeoverMs = Date.now() - killedAt;
  // The lease expires 15 s after the standby saw its last renewal (which it sees up to one retry period
  // late), and the standby notices at its next retry: lease duration + 2 retry periods (2 s, +20% jitter)
  // at most, plus request latency on a loaded machine. Never the lease duration twice over.
  expect(takeoverMs).toBeLessThanOrEqual(LEASE_DURATION_MS + 2 * 2_400 + 2_000);
  await eventually('the new leader to report it', async () =>
    masterStatus(await scrape(standby)) === '1' ? true : undefined,
  );

  // A graceful stop drains, releases the Lease (holder cleared) and exits 0 well within the drain bound.
  const c = await startReplica('replica-c');
  await eventually('replica-c ready', async () => ((await ready(c)) ? true : undefined), 30_000);
  const termAt = Date.now();
  standby.child.kill('SIGTERM');
  expect(await standby.exit).toBe(0);
  expect(Date.now() - termAt).toBeLessThan(10_000);
  // Released, so replica-c takes over after one retry period instead of a whole lease duration.
  const handoverAt = Date.now();
  await eventually(
    'replica-c to take over the released lease',
    async () => ((await holder()) === 'replica-c' ? true : undefined),
    15_000,
    100,
  );
  expect(Date.now() - handoverAt).toBeLessThan(LEASE_DURATION_MS / 2);
  expect(standby.output.join('')).toContain('released the leader lease');
});

it('a leader cut off from the apiserver stops writing within its renew deadline, exits 1, and the standby takes over', async () => {
  // replica-x reaches the apiserver only through the fault proxy (which holds the admin client certificate).
  const tls: { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string } = {};
  await cluster.controlPlane.kubeConfig.applyToHTTPSOptions(tls);
  const proxy = await startFaultProxy(new URL(cluster.controlPlane.server).host, [], {
    upstreamTls: {
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
    },
  });
  const dir = await mkdtemp(join(tmpdir(), 'hub-lease-cut-'));
  try {
    const kubeconfig = join(dir, 'proxied.kubeconfig');
    // JSON is YAML: a kubeconfig without credentials, for the plain-HTTP proxy.
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        // client-node refuses http:// unless told TLS is off on purpose.
        clusters: [
          { name: 'proxy', cluster: { server: `http://${proxy.host}`, 'insecure-skip-tls-verify': true } },
        ],
        users: [{ name: 'proxied', user: {} }],
        contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'proxied' } }],
        'current-context': 'proxy',
      }),
    );
    const x = await startReplica('replica-x', { kubeconfig, lease: CUT_LEASE });
    await eventually(
      'replica-x to lead',
      async () => ((await holder(CUT_LEASE)) === 'replica-x' ? true : undefined),
      30_000,
    );
    const y = await startReplica('replica-y', { lease: CUT_LEASE });
    await eventually('replica-y ready', async () => ((await ready(y)) ? true : undefined), 30_000);

    // Work in flight at the cut: a burst of Images, cut once the leader is busy writing them.
    const names = Array.from({ length: 80 }, (_, i) => `cut/app${i % 20}:v${Math.floor(i / 20)}`);
    // Writes of replica-x that reached the apiserver.
    const writes = () => proxy.forwarded.filter(({ request }) => !request.startsWith('GET '));
    const beforeBurst = writes().length;
    await Promise.all(names.map((name) => create(cluster.admin, imageObject(name, imageMetadataName(name)))));
    await eventually('replica-x writing the burst', () =>
      writes().length - beforeBurst >= 5 ? true : undefined,
    );
    const cutAt = Date.now();
    proxy.cut();
    let exitedAt = 0;
    void x.exit.then(() => {
      exitedAt = Date.now();
    });
    // The link comes back after the renew deadline: what replica-x still has in flight then would land
    // beside the new leader, unless it was aborted at the deadline.
    await new Promise((resolve) => setTimeout(resolve, RENEW_DEADLINE_MS + 2_000));
    proxy.heal();
    const code = await x.exit;
    // Lost at the renew deadline (measured from its last renewal, which was before the cut): nothing after it.
    const late = writes().filter(({ at }) => at > cutAt + RENEW_DEADLINE_MS);
    expect(late.map(({ request }) => request)).toEqual([]);
    expect(code).toBe(1);
    const exitedAfterMs = exitedAt - cutAt;
    // At once, not after a drain: the aborted reconciles unwind in well under a second.
    expect(exitedAfterMs).toBeLessThan(RENEW_DEADLINE_MS + 5_000);
    const out = x.output.join('');
    expect(out).toContain('leadership lost');
    expect(out).not.toContain('released the leader lease');

    // Not released, so replica-y waits out the lease, then leads and finishes the burst.
    await eventually(
      'replica-y to take over',
      async () => ((await holder(CUT_LEASE)) === 'replica-y' ? true : undefined),
      LEASE_DURATION_MS + 15_000,
    );
    await eventually(
      'replica-y to converge the burst',
      async () => {
        for (let i = 0; i < 20; i++) {
          const repo = await get<Repository>(
            cluster.admin,
            'Repository',
            repositoryMetadataName(`cut/app${i}`),
          );
          if ((repo?.status?.tags?.length ?? 0) !== 4) return undefined;
        }
        return true;
      },
      60_000,
    );
    expect(masterStatus(await scrape(y))).toBe('1');
  } finally {
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  }
});

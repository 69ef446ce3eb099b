import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { imageMetadataName } from '@hub/api-types';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  create,
  eventually,
  freeLoopbackPort,
  imageObject,
  startTestCluster,
  type TestCluster,
} from './harness.ts';

// Two real hub-controller processes (the committed bin, as a Deployment runs it) campaign for one Lease.
const BIN = fileURLToPath(new URL('../bin/hub-controller.js', import.meta.url));
const LEASE = 'hub-controller-test';
const LEASE_DURATION_MS = 15_000;

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

async function startReplica(name: string): Promise<Replica> {
  const [probe, metrics] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const child = spawn(
    process.execPath,
    [
      BIN,
      '--kubeconfig',
      cluster.controlPlane.kubeconfigPath,
      '--leader-elect',
      '--leader-election-namespace',
      'kube-system',
      '--leader-election-id',
      LEASE,
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

async function holder(): Promise<string | undefined> {
  try {
    const lease = await cluster.admin.request<{ spec?: { holderIdentity?: string } }>(
      `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${LEASE}`,
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

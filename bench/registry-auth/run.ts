// Benchmark (not a test): registry token issuance p50/p99 from a loopback client, with 1,000 Organizations
// (10,000 Repositories) in the cache, TokenReview verdicts cached for 10 s versus reviewed on every request.
//   node_modules/.bin/node --conditions=@hub/source bench/registry-auth/run.ts [--requests 4000] [--seconds 20] [--concurrency 16]
// Starts a real kube-apiserver + etcd (test-env, binaries cached in ~/.cache/hub-testenv); bounded in requests and time.
import { parseArgs } from 'node:util';
import type { Organization, Repository } from '@hub/api-types';
import { type RegistryAuthCache, startRegistryTokenServer } from '@hub/controller';
import { createKubeTransport, type KubeTransport } from '@hub/datapack';
import type { CatalogueKind } from '@hub/reconcilers';
import { startControlPlane } from '@hub/test-env';
import { CoreV1Api } from '@kubernetes/client-node';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '4000' },
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    organizations: { type: 'string', default: '1000' },
    users: { type: 'string', default: '20' },
  },
});
const REQUESTS = Number(values.requests);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const ORGS = Number(values.organizations);
const USERS = Number(values.users);
const NAMESPACE = 'user-system';

function catalogue(): RegistryAuthCache {
  const store = new Map<string, Organization | Repository>();
  for (let o = 0; o < ORGS; o++) {
    const name = `org${o}`;
    // Each user manages every 20th organization; a few group and foreign managers make matching do work.
    const managers = [`user${o % USERS}`, 'group:platform', `someone-else-${o}`];
    store.set(`Organization/${name}`, {
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Organization',
      metadata: { name },
      spec: { name, creator: managers[0], manager: managers.slice(1) },
    } as Organization);
    for (let r = 0; r < 10; r++) {
      store.set(`Repository/${name}.repo${r}`, {
        apiVersion: 'imagehub.sealos.io/v1',
        kind: 'Repository',
        metadata: { name: `${name}.repo${r}` },
        spec: { name: `${name}/repo${r}`, isPrivate: r % 3 === 0 },
      } as Repository);
    }
  }
  return { get: (kind: CatalogueKind, name: string) => store.get(`${kind}/${name}`) as never };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function load(
  realm: string,
  tokens: readonly string[],
): Promise<{ latencies: number[]; seconds: number; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const worker = async (w: number) => {
    for (let i = w; issued < REQUESTS && performance.now() < deadline; i += CONCURRENCY) {
      issued++;
      const user = i % (USERS + 1);
      const org = (i * 7919) % ORGS;
      const scope = `repository:org${org}/repo${i % 10}:pull,push`;
      const headers: Record<string, string> =
        user === USERS
          ? {}
          : { authorization: `Basic ${Buffer.from(`user${user}:${tokens[user]}`).toString('base64')}` };
      const t0 = performance.now();
      const response = await fetch(`${realm}?service=bench&scope=${encodeURIComponent(scope)}`, { headers });
      await response.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (response.status !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  return {
    latencies: latencies.sort((a, b) => a - b),
    seconds: (performance.now() - started) / 1000,
    failures,
  };
}

// Modules loaded from source (type stripping) already take a good part of the RSS: print it as the baseline.
const baselineRss = process.memoryUsage().rss;
const controlPlane = await startControlPlane();
let transport: KubeTransport | undefined;
try {
  const core = controlPlane.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  const tokens: string[] = [];
  for (let u = 0; u < USERS; u++) {
    await core.createNamespacedServiceAccount({
      namespace: NAMESPACE,
      body: { metadata: { name: `user${u}` } },
    });
    const request = await core.createNamespacedServiceAccountToken({
      name: `user${u}`,
      namespace: NAMESPACE,
      body: { spec: { expirationSeconds: 3600 } },
    });
    tokens.push(request.status?.token ?? '');
  }
  const cache = catalogue();
  // The token server reviews through the process's one transport, as hub-controller runs it.
  transport = await createKubeTransport(controlPlane.kubeConfig);
  const rows: { label: string; p50: number; p99: number; rps: number; count: number; failures: number }[] =
    [];
  for (const [label, ttlMs] of [
    ['TokenReview cached 10s', 10_000],
    ['TokenReview every request', 0],
  ] as const) {
    const server = await startRegistryTokenServer({
      bindAddress: '127.0.0.1:0',
      transport,
      cache,
      tokenReviewCacheTtlMs: ttlMs,
      rateLimits: { perAddress: false, perUser: false, failuresPerAddress: false },
      downloadCountWriter: async () => {},
    });
    try {
      await load(server.realm, tokens.slice(0, 2)); // warm-up: JIT, connections
      const { latencies, seconds, failures } = await load(server.realm, tokens);
      rows.push({
        label,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        rps: latencies.length / seconds,
        count: latencies.length,
        failures,
      });
    } finally {
      await server.stop();
    }
  }
  console.log(
    `registry token issuance: ${ORGS} organizations / ${ORGS * 10} repositories cached, ${USERS} ServiceAccounts + anonymous, concurrency ${CONCURRENCY}, loopback`,
  );
  for (const row of rows) {
    console.log(
      `  ${row.label.padEnd(26)} p50 ${row.p50.toFixed(2)} ms  p99 ${row.p99.toFixed(2)} ms  ${row.rps.toFixed(0)} req/s  (${row.count} requests, ${row.failures} not 200)`,
    );
  }
  const [cached, uncached] = rows;
  if (cached && uncached) {
    console.log(
      `  ratio (every request / cached): p50 ${(uncached.p50 / cached.p50).toFixed(1)}x, p99 ${(uncached.p99 / cached.p99).toFixed(1)}x, throughput ${(cached.rps / uncached.rps).toFixed(1)}x`,
    );
  }
  console.log(
    `  peak RSS (token server + client in one process): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB, ${(baselineRss / 1048576).toFixed(0)} MiB of it after loading the modules`,
  );
} finally {
  await transport?.close();
  await controlPlane.stop();
}

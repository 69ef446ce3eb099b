import { hostname } from 'node:os';
import { toHubError } from '@hub/api-types/errors';
import {
  createKubeTransport,
  createSharedInformerFactory,
  type KubeConnectionSource,
  type KubeTransport,
  type SharedInformerFactory,
  sleep,
} from '@hub/datapack';
import type { CataloguePolicy, ReconcilerDefinition } from '@hub/reconcilers';
import { ControllerError } from './errors.ts';
import { CACHED_KINDS, informerCacheView } from './runtime/cache-view.ts';
import { type Controller, createController } from './runtime/controller.ts';
import { type EndpointServer, startMetricsServer, startProbeServer } from './runtime/http-endpoints.ts';
import { installCrds } from './runtime/install-crds.ts';
import { resourceOfKind } from './runtime/kinds.ts';
import { createKubeClient } from './runtime/kube-client.ts';
import { createLeaderElector, type LeaderElector } from './runtime/leader-election.ts';
import { createLogger, type Logger } from './runtime/logger.ts';
import { type ControllerMetrics, createControllerMetrics } from './runtime/metrics.ts';
import { countRequests, type RequestCounter } from './runtime/request-counter.ts';
import { type Identity, selfSubjectReview } from './runtime/self-subject-review.ts';
import { selfSignedServingCertificate } from './webhook/self-signed.ts';
import { webhookConfigurations } from './webhook/webhook-configurations.ts';
import type { WebhookDefinition } from './webhook/webhook-definition.ts';
import { loadCertDir, startWebhookServer, type WebhookServer } from './webhook/webhook-server.ts';

/** Everything `hub-controller` configures; the CLI maps its flags onto this. */
export interface ManagerOptions {
  /** `loadKubeconfig()`'s result (`@hub/api-types/kubeconfig`, what the CLI passes) or a client-node KubeConfig. */
  kubeConfig: KubeConnectionSource;
  /** The reconcilers to run on the leader; called once the controller identity is known. */
  reconcilers: (policy: CataloguePolicy) => readonly ReconcilerDefinition[];
  /** The admission webhooks every replica serves. */
  admission?: readonly WebhookDefinition[];
  /** The kinds cached (and synced before anything runs); default the catalogue's, `[]` without the catalogue. */
  cachedKinds?: readonly string[];
  policy: Omit<CataloguePolicy, 'controllerIdentity'>;
  /** Server-side apply the hub CRDs at start and wait until Established. */
  installCrds?: boolean;
  /** Webhook serving; `false` turns webhooks off. */
  webhook?:
    | {
        port: number;
        host?: string;
        /** tls.crt + tls.key (cert-manager); absent: a self-signed CA and cert in memory. */
        certDir?: string;
        /** Out of cluster: create or patch the webhook configurations to call this URL with our CA. */
        url?: string;
        /** Extra names for the self-signed certificate (the in-cluster Service names). */
        hosts?: readonly string[];
      }
    | false;
  /** `/metrics`; undefined turns it off. */
  metricsBind?: { host: string; port: number } | undefined;
  /** `/healthz` and `/readyz`; undefined turns them off. */
  probeBind?: { host: string; port: number } | undefined;
  /** Lease-based leader election; `false` reconciles at once (one replica only). */
  leaderElection?:
    | {
        namespace: string;
        name: string;
        leaseDurationMs?: number;
        renewDeadlineMs?: number;
        retryPeriodMs?: number;
      }
    | false;
  /** Concurrent reconciles per controller (default 4). */
  concurrency?: number;
  /** Bounded drain on stop (default 30 s, controller-runtime's GracefulShutdownTimeout). */
  drainTimeoutMs?: number;
  /** Give up when the caches are not synced in this time (default 120 s, controller-runtime's CacheSyncTimeout). */
  cacheSyncTimeoutMs?: number;
  /** Silence watchdog of the informers (default 150 s). */
  informerSilenceMs?: number;
  /** This replica's identity in the Lease (default host name + random suffix). */
  replicaId?: string;
  log?: Logger;
  /** Adds prom-client's process metrics (CPU, RSS, event loop) to /metrics. */
  processMetrics?: boolean;
}

/** Why a manager stopped. */
export interface ManagerExit {
  reason: 'stopped' | 'leadership-lost' | 'failed';
  error?: Error;
  /** True when in-flight reconciles had to be aborted at the drain deadline. */
  drainTimedOut?: boolean;
}

export interface Manager {
  /** Who the apiserver says the controller is (SelfSubjectReview). */
  readonly identity: Identity;
  readonly replicaId: string;
  readonly metrics: ControllerMetrics;
  /** Every API request of this manager, by verb. */
  readonly requests: RequestCounter;
  readonly factory: SharedInformerFactory;
  readonly transport: KubeTransport;
  /** The kubeconfig the manager connects with, for features that need their own API clients. */
  readonly kubeConfig: KubeConnectionSource;
  readonly webhookPort: number | undefined;
  readonly probePort: number | undefined;
  readonly metricsPort: number | undefined;
  readonly controllers: () => readonly Controller[];
  isLeader(): boolean;
  /** Settles when the manager has stopped by itself (lost leadership) or through `stop`. */
  readonly done: Promise<ManagerExit>;
  /** Stops taking work, drains, releases the lease, closes servers and watches. Idempotent. */
  stop(): Promise<ManagerExit>;
}

function defaultReplicaId(): string {
  return `${hostname()}_${Math.random().toString(16).slice(2, 10)}`;
}

/** What every step of a manager start shares: its options, the process-wide clients, and what stop undoes. */
interface Assembly {
  readonly options: ManagerOptions;
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  readonly transport: KubeTransport;
  readonly replicaId: string;
  /** Run in reverse order by `runCleanups`, on stop or when the start fails. */
  readonly cleanups: Array<() => Promise<void> | void>;
}

async function runCleanups(cleanups: Assembly['cleanups']): Promise<void> {
  for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => {});
}

/** Starts the controller: the runtime behind `hub-controller`, usable in-process by tests and benches. */
export async function startManager(options: ManagerOptions): Promise<Manager> {
  const log = options.log ?? createLogger((line) => process.stderr.write(line));
  const metrics = createControllerMetrics({ processMetrics: options.processMetrics ?? false });
  const transport = await createKubeTransport(options.kubeConfig);
  const requests = countRequests(transport, metrics);
  const replicaId = options.replicaId ?? defaultReplicaId();
  const assembly: Assembly = {
    options,
    log,
    metrics,
    transport,
    replicaId,
    cleanups: [() => transport.close(), () => requests.dispose()],
  };
  try {
    return await assemble(assembly, requests);
  } catch (error) {
    await runCleanups(assembly.cleanups);
    throw error;
  }
}

/** The steps of a start in order: identity, CRDs, caches, endpoints, webhooks, cache sync, then the work. */
async function assemble(a: Assembly, requests: RequestCounter): Promise<Manager> {
  const { options, log, transport } = a;
  const identity = await selfSubjectReview(transport);
  log.info('controller identity', {
    username: identity.username,
    groups: identity.groups,
    replica: a.replicaId,
  });
  if (options.installCrds) {
    const names = await installCrds(transport);
    log.info('CRDs applied and established', { crds: names });
  }
  const factory = startInformers(a);
  const cache = informerCacheView(factory);
  const policy: CataloguePolicy = { ...options.policy, controllerIdentity: identity };

  const webhookOptions = options.webhook && options.webhook.port !== 0 ? options.webhook : undefined;
  let webhook: WebhookServer | undefined;
  const endpoints = await startEndpoints(a, factory, () => !webhookOptions || Boolean(webhook?.serving()));
  if (webhookOptions) webhook = await startAdmission(a, webhookOptions, { factory, cache, policy });

  await waitForCaches(a, factory);
  const work = startWork(a, { factory, cache, policy });
  return {
    identity,
    replicaId: a.replicaId,
    metrics: a.metrics,
    requests,
    factory,
    transport,
    kubeConfig: options.kubeConfig,
    webhookPort: webhook?.port,
    probePort: endpoints.probePort,
    metricsPort: endpoints.metricsPort,
    controllers: () => work.controllers,
    isLeader: () => (work.elector ? work.elector.isLeader() : true),
    done: work.done,
    stop: () => stop(a, work, 'stopped'),
  };
}

/** One shared informer per cached kind, started; stopped on cleanup. */
function startInformers({ options, log, transport, cleanups }: Assembly): SharedInformerFactory {
  const factory = createSharedInformerFactory(transport, {
    ...(options.informerSilenceMs ? { silenceMs: options.informerSilenceMs } : {}),
    onError: (error, resource) =>
      log.error('informer error; it retries by itself', {
        resource: resource.plural,
        error,
        code: error.code,
      }),
  });
  cleanups.push(() => factory.stop());
  for (const kind of options.cachedKinds ?? CACHED_KINDS) factory.informerFor(resourceOfKind(kind));
  factory.start();
  return factory;
}

/** `/healthz` + `/readyz` and `/metrics`, each where a bind address is configured. */
async function startEndpoints(
  { options, metrics, cleanups }: Assembly,
  factory: SharedInformerFactory,
  webhookReady: () => boolean,
): Promise<{ probePort: number | undefined; metricsPort: number | undefined }> {
  const servers: EndpointServer[] = [];
  cleanups.push(async () => {
    for (const server of servers) await server.close();
  });
  if (options.probeBind) {
    servers.push(
      await startProbeServer(options.probeBind, {
        healthz: { ping: () => undefined },
        readyz: {
          informers: () => (factory.synced() ? undefined : 'informer caches not synced yet'),
          webhook: () => (webhookReady() ? undefined : 'webhook server not serving'),
        },
      }),
    );
  }
  const probePort = servers[0]?.port;
  let metricsPort: number | undefined;
  if (options.metricsBind) {
    const server = await startMetricsServer(options.metricsBind, metrics.registry);
    servers.push(server);
    metricsPort = server.port;
  }
  return { probePort, metricsPort };
}

type WebhookOptions = Exclude<ManagerOptions['webhook'], false | undefined>;

/** What the webhooks and the reconcilers read: the informers, their cache view and the policy. */
interface Catalogue {
  readonly factory: SharedInformerFactory;
  readonly cache: ReturnType<typeof informerCacheView>;
  readonly policy: CataloguePolicy;
}

/** The admission webhook server (cert-manager's certificate or a self-signed one), and out of cluster its configurations. */
async function startAdmission(
  a: Assembly,
  w: WebhookOptions,
  { factory, cache, policy }: Catalogue,
): Promise<WebhookServer> {
  const { options, log, metrics, cleanups } = a;
  const admission = options.admission ?? [];
  const url = w.url ? new URL(w.url) : undefined;
  const cert = w.certDir
    ? { ...(await loadCertDir(w.certDir)), caPem: undefined }
    : await selfSignedServingCertificate([
        'localhost',
        '127.0.0.1',
        ...(url ? [url.hostname.replace(/^\[(.*)\]$/, '$1')] : []),
        ...(w.hosts ?? []),
      ]);
  const webhook = await startWebhookServer({
    definitions: admission,
    cache,
    policy: () => policy,
    port: w.port,
    ...(w.host ? { host: w.host } : {}),
    cert,
    ...(w.certDir ? { certDir: w.certDir } : {}),
    metrics,
    log,
    // Out of cluster nothing else gates the calls (in a cluster /readyz keeps the Service
    // without endpoints too): never decide on a cache that has not listed yet.
    synced: () => factory.synced(),
  });
  cleanups.push(() => webhook.close());
  log.info('webhook server listening', { port: webhook.port, webhooks: admission.map((d) => d.path) });
  if (url) {
    const caPem = cert.caPem ?? (await loadCertDir(w.certDir ?? '')).certPem;
    await applyWebhookConfigurations(a, admission, url, caPem);
  }
  return webhook;
}

/** Creates or patches the webhook configurations so that the apiserver calls `url`, trusting `caPem`. */
async function applyWebhookConfigurations(
  { transport, log }: Assembly,
  definitions: readonly WebhookDefinition[],
  url: URL,
  caPem: string,
): Promise<void> {
  for (const config of webhookConfigurations({ definitions, url: url.href, caPem })) {
    const kind = String(config.kind);
    const name = String((config.metadata as { name: string }).name);
    await transport.request(`/apis/admissionregistration.k8s.io/v1/${kind.toLowerCase()}s/${name}`, {
      verb: 'apply',
      method: 'PATCH',
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'hub-controller', force: true },
      body: config,
    });
    log.info('webhook configuration applied', { kind, name, url: url.href });
  }
}

async function waitForCaches({ options, log }: Assembly, factory: SharedInformerFactory): Promise<void> {
  const syncTimeout = options.cacheSyncTimeoutMs ?? 120_000;
  try {
    await factory.waitForSync(AbortSignal.timeout(syncTimeout));
  } catch (cause) {
    throw new ControllerError(
      'CACHE_SYNC_TIMEOUT',
      `the informer caches did not sync within ${syncTimeout} ms; are the hub CRDs installed (--install-crds)?`,
      { cause, retryable: true },
    );
  }
  log.info('caches synced', { kinds: options.cachedKinds ?? CACHED_KINDS });
}

/** The reconciling half of a manager: its signals, its controllers and how it ends. */
interface Work {
  /** Aborted on stop: the controllers take no new work. */
  readonly stopWork: AbortController;
  /** Aborted at the drain deadline or on a lost lease: running reconciles and their requests stop. */
  readonly abortInFlight: AbortController;
  /** Aborted when leadership is lost: the reconcile clients refuse writes from then on. */
  readonly fence: AbortController;
  readonly stopElection: AbortController;
  readonly controllers: Controller[];
  running: Promise<void> | undefined;
  elector: LeaderElector | undefined;
  election: Promise<string> | undefined;
  readonly done: Promise<ManagerExit>;
  readonly resolveDone: (exit: ManagerExit) => void;
  stopping: Promise<ManagerExit> | undefined;
}

/** Runs the reconcilers: at once without leader election, else once this replica leads. */
function startWork(a: Assembly, catalogue: Catalogue): Work {
  const { promise: done, resolve: resolveDone } = Promise.withResolvers<ManagerExit>();
  const work: Work = {
    stopWork: new AbortController(),
    abortInFlight: new AbortController(),
    fence: new AbortController(),
    stopElection: new AbortController(),
    controllers: [],
    running: undefined,
    elector: undefined,
    election: undefined,
    done,
    resolveDone,
    stopping: undefined,
  };
  if (a.options.leaderElection) campaign(a, a.options.leaderElection, work, catalogue);
  else startControllers(a, work, catalogue);
  return work;
}

/** Stops the manager once, whoever asks first; every caller gets the same exit. */
function stop(a: Assembly, work: Work, reason: ManagerExit['reason'], error?: Error): Promise<ManagerExit> {
  work.stopping ??= stopWorkAndCleanUp(a, work, reason, error).then((exit) => {
    work.resolveDone(exit);
    return exit;
  });
  return work.stopping;
}

/** One controller per reconciler, each with its own field manager, all running until `stopWork`. */
function startControllers(a: Assembly, work: Work, { factory, cache, policy }: Catalogue): void {
  const { options, log, metrics, transport, replicaId } = a;
  for (const definition of options.reconcilers(policy)) {
    // One field manager per reconciler: a server-side apply drops the fields its manager applied
    // before and omits now, so two reconcilers applying parts of one object must not share one.
    const client = createKubeClient({
      transport,
      cache,
      fieldManager: `hub-controller-${definition.name}`,
      instance: replicaId,
      fence: work.fence.signal,
      log,
    });
    work.controllers.push(
      createController({
        definition,
        factory,
        client: (signal) => client.withSignal(signal),
        metrics,
        log,
        concurrency: options.concurrency ?? 4,
      }),
    );
  }
  for (const c of work.controllers) c.watch();
  log.info('starting controllers', { controllers: work.controllers.map((c) => c.name) });
  work.running = Promise.all(
    work.controllers.map((c) => c.run(work.stopWork.signal, work.abortInFlight.signal)),
  ).then(() => {});
}

/** Campaigns for the Lease; starts the controllers on winning it and stops the manager at once on losing it. */
function campaign(
  a: Assembly,
  le: Exclude<ManagerOptions['leaderElection'], false | undefined>,
  work: Work,
  catalogue: Catalogue,
): void {
  const elector = createLeaderElector({
    transport: a.transport,
    ...le,
    identity: a.replicaId,
    metrics: a.metrics,
    log: a.log,
  });
  work.elector = elector;
  work.election = elector.run(work.stopElection.signal).then((end) => {
    if (end === 'lost') {
      // Another replica may lead already: refuse and abort our writes now, also in the middle of a
      // graceful drain, instead of draining (controller-runtime exits at once).
      work.fence.abort();
      work.abortInFlight.abort();
      void stop(
        a,
        work,
        'leadership-lost',
        new ControllerError(
          'LEADERSHIP_LOST',
          'leadership was lost; exiting so a fresh replica can campaign',
        ),
      );
    }
    return end;
  });
  void elector.leading.then(() => {
    if (!work.stopWork.signal.aborted) startControllers(a, work, catalogue);
  });
}

/** Aborted reconciles get a moment to unwind; none of them can write any more. */
async function unwind(running: Promise<void>): Promise<void> {
  const grace = new AbortController();
  await Promise.race([running, sleep(1_000, grace.signal)]);
  grace.abort();
}

/**
 * Stops taking work, drains (bounded; after a lost lease only unwinds), then releases the lease and runs the
 * cleanups. True in `drainTimedOut` when reconciles had to be aborted at the deadline.
 */
async function stopWorkAndCleanUp(
  { options, log, cleanups }: Assembly,
  work: Work,
  reason: ManagerExit['reason'],
  error: Error | undefined,
): Promise<ManagerExit> {
  log.info('shutting down', { reason });
  work.stopWork.abort();
  let drainTimedOut = false;
  const running = work.running;
  if (running && reason === 'leadership-lost') {
    await unwind(running);
  } else if (running) {
    const drainMs = options.drainTimeoutMs ?? 30_000;
    const cancel = new AbortController();
    const drained = await Promise.race([
      running.then(() => true),
      sleep(drainMs, cancel.signal).then(() => false),
    ]);
    cancel.abort();
    if (!drained) {
      // The drain deadline passed: abort the reconciles still running and give them a moment to unwind.
      drainTimedOut = true;
      work.abortInFlight.abort();
      await unwind(running);
    }
  }
  // Release the lease only once no reconcile of ours can still write (after a loss it is not released).
  work.stopElection.abort();
  await work.election;
  await runCleanups(cleanups);
  const exit: ManagerExit = {
    reason,
    ...(error ? { error } : {}),
    ...(drainTimedOut ? { drainTimedOut } : {}),
  };
  log.info('stopped', { reason, drainTimedOut });
  return exit;
}

/** Maps anything a manager start threw to a HubError (for the CLI's one-line failure). */
export function managerStartError(error: unknown): Error {
  return toHubError(error);
}

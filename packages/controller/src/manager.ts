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
import type { AdmissionDefinition, CataloguePolicy, ReconcilerDefinition } from '@hub/reconcilers';
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
import { loadCertDir, startWebhookServer, type WebhookServer } from './webhook/webhook-server.ts';

/** Everything `hub-controller` configures; the CLI maps its flags onto this. */
export interface ManagerOptions {
  /** `loadKubeconfig()`'s result (`@hub/api-types/kubeconfig`, what the CLI passes) or a client-node KubeConfig. */
  kubeConfig: KubeConnectionSource;
  /** The reconcilers to run on the leader; called once the controller identity is known. */
  reconcilers: (policy: CataloguePolicy) => readonly ReconcilerDefinition[];
  /** The admission webhooks every replica serves. */
  admission?: readonly AdmissionDefinition[];
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

/** Starts the controller: the runtime behind `hub-controller`, usable in-process by tests and benches. */
export async function startManager(options: ManagerOptions): Promise<Manager> {
  const log = options.log ?? createLogger((line) => process.stderr.write(line));
  const metrics = createControllerMetrics({ processMetrics: options.processMetrics ?? false });
  const transport = await createKubeTransport(options.kubeConfig);
  const requests = countRequests(transport, metrics);
  const replicaId = options.replicaId ?? defaultReplicaId();
  const cleanups: Array<() => Promise<void> | void> = [() => transport.close(), () => requests.dispose()];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => {});
  };
  try {
    return await assemble();
  } catch (error) {
    await cleanup();
    throw error;
  }

  async function assemble(): Promise<Manager> {
    const identity = await selfSubjectReview(transport);
    log.info('controller identity', {
      username: identity.username,
      groups: identity.groups,
      replica: replicaId,
    });
    if (options.installCrds) {
      const names = await installCrds(transport);
      log.info('CRDs applied and established', { crds: names });
    }
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
    for (const kind of CACHED_KINDS) factory.informerFor(resourceOfKind(kind));
    const cache = informerCacheView(factory);
    const policy: CataloguePolicy = { ...options.policy, controllerIdentity: identity };
    factory.start();

    let webhook: WebhookServer | undefined;
    const admission = options.admission ?? [];
    const webhookOn =
      options.webhook !== false && options.webhook !== undefined && options.webhook.port !== 0;
    const probes: { servers: EndpointServer[] } = { servers: [] };
    cleanups.push(async () => {
      for (const server of probes.servers) await server.close();
    });
    if (options.probeBind) {
      probes.servers.push(
        await startProbeServer(options.probeBind, {
          healthz: { ping: () => undefined },
          readyz: {
            informers: () => (factory.synced() ? undefined : 'informer caches not synced yet'),
            webhook: () => (!webhookOn || webhook?.serving() ? undefined : 'webhook server not serving'),
          },
        }),
      );
    }
    const probePort = probes.servers[0]?.port;
    let metricsPort: number | undefined;
    if (options.metricsBind) {
      const server = await startMetricsServer(options.metricsBind, metrics.registry);
      probes.servers.push(server);
      metricsPort = server.port;
    }
    if (webhookOn && options.webhook) {
      const w = options.webhook;
      const url = w.url ? new URL(w.url) : undefined;
      const cert = w.certDir
        ? { ...(await loadCertDir(w.certDir)), caPem: undefined }
        : await selfSignedServingCertificate([
            'localhost',
            '127.0.0.1',
            ...(url ? [url.hostname.replace(/^\[(.*)\]$/, '$1')] : []),
            ...(w.hosts ?? []),
          ]);
      webhook = await startWebhookServer({
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
      cleanups.push(() => webhook?.close());
      log.info('webhook server listening', { port: webhook.port, webhooks: admission.map((d) => d.path) });
      if (url) {
        const caPem = cert.caPem ?? (await loadCertDir(w.certDir ?? '')).certPem;
        for (const config of webhookConfigurations({ definitions: admission, url: url.href, caPem })) {
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
    }

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
    log.info('caches synced', { kinds: CACHED_KINDS });

    const stopWork = new AbortController();
    const abortInFlight = new AbortController();
    // Aborted when leadership is lost: the reconcile clients refuse writes from then on.
    const fence = new AbortController();
    const stopElection = new AbortController();
    const controllers: Controller[] = [];
    let running: Promise<void> | undefined;
    const startControllers = () => {
      for (const definition of options.reconcilers(policy)) {
        // One field manager per reconciler: a server-side apply drops the fields its manager applied
        // before and omits now, so two reconcilers applying parts of one object must not share one.
        const client = createKubeClient({
          transport,
          cache,
          fieldManager: `hub-controller-${definition.name}`,
          instance: replicaId,
          fence: fence.signal,
          log,
        });
        controllers.push(
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
      for (const c of controllers) c.watch();
      log.info('starting controllers', { controllers: controllers.map((c) => c.name) });
      running = Promise.all(controllers.map((c) => c.run(stopWork.signal, abortInFlight.signal))).then(
        () => {},
      );
    };

    let elector: LeaderElector | undefined;
    let election: Promise<string> | undefined;
    let resolveDone!: (exit: ManagerExit) => void;
    const done = new Promise<ManagerExit>((resolve) => {
      resolveDone = resolve;
    });
    let stopping: Promise<ManagerExit> | undefined;
    /** Aborted reconciles get a moment to unwind; none of them can write any more. */
    const unwind = async (work: Promise<void>) => {
      const grace = new AbortController();
      await Promise.race([work, sleep(1_000, grace.signal)]);
      grace.abort();
    };
    const stop = (reason: ManagerExit['reason'] = 'stopped', error?: Error): Promise<ManagerExit> => {
      stopping ??= (async () => {
        log.info('shutting down', { reason });
        stopWork.abort();
        let drainTimedOut = false;
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
            abortInFlight.abort();
            await unwind(running);
          }
        }
        // Release the lease only once no reconcile of ours can still write (after a loss it is not released).
        stopElection.abort();
        await election;
        await cleanup();
        const exit: ManagerExit = {
          reason,
          ...(error ? { error } : {}),
          ...(drainTimedOut ? { drainTimedOut } : {}),
        };
        log.info('stopped', { reason, drainTimedOut });
        resolveDone(exit);
        return exit;
      })();
      return stopping;
    };

    if (options.leaderElection) {
      const le = options.leaderElection;
      elector = createLeaderElector({ transport, ...le, identity: replicaId, metrics, log });
      election = elector.run(stopElection.signal).then((end) => {
        if (end === 'lost') {
          // Another replica may lead already: refuse and abort our writes now, also in the middle of a
          // graceful drain, instead of draining (controller-runtime exits at once).
          fence.abort();
          abortInFlight.abort();
          void stop(
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
        if (!stopWork.signal.aborted) startControllers();
      });
    } else {
      startControllers();
    }

    return {
      identity,
      replicaId,
      metrics,
      requests,
      factory,
      transport,
      kubeConfig: options.kubeConfig,
      webhookPort: webhook?.port,
      probePort,
      metricsPort,
      controllers: () => controllers,
      isLeader: () => (elector ? elector.isLeader() : true),
      done,
      stop: () => stop('stopped'),
    };
  }
}

/** Maps anything a manager start threw to a HubError (for the CLI's one-line failure). */
export function managerStartError(error: unknown): Error {
  return toHubError(error);
}

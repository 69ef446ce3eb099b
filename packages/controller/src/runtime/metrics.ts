import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric the runtime exports, under controller-runtime's and client-go's names so stock dashboards work. */
export interface ControllerMetrics {
  readonly registry: Registry;
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  terminalReconcileErrors: Counter<'controller'>;
  reconcilePanics: Counter<'controller'>;
  reconcileTime: Histogram<'controller'>;
  reconcileTimeouts: Counter<'controller'>;
  maxConcurrentReconciles: Gauge<'controller'>;
  activeWorkers: Gauge<'controller'>;
  workqueueDepth: Gauge<'name' | 'controller'>;
  workqueueAdds: Counter<'name' | 'controller'>;
  workqueueRetries: Counter<'name' | 'controller'>;
  workqueueQueueDuration: Histogram<'name' | 'controller'>;
  workqueueWorkDuration: Histogram<'name' | 'controller'>;
  workqueueUnfinishedWork: Gauge<'name' | 'controller'>;
  workqueueLongestRunning: Gauge<'name' | 'controller'>;
  leaderElectionMasterStatus: Gauge<'name'>;
  restClientRequests: Counter<'code' | 'method' | 'host'>;
  restClientRequestDuration: Histogram<'verb' | 'host'>;
  webhookRequests: Counter<'webhook' | 'code'>;
  /** hub's own: API requests by Kubernetes verb (apply vs patch, list vs get), leases apart. */
  apiRequests: Counter<'verb' | 'code'>;
  webhookLatency: Histogram<'webhook'>;
}

// controller-runtime's reconcile-time buckets (0.005 s … 60 s) and the workqueue's (1 µs … 10 s, decades).
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5,
  1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
const QUEUE_BUCKETS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10];

/** A registry of its own per manager, so two managers in one process (tests) do not collide. */
export function createControllerMetrics(options: { processMetrics?: boolean } = {}): ControllerMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    ...reconcileMetrics(registers),
    ...workqueueMetrics(registers),
    ...clientMetrics(registers),
  };
}

/** controller-runtime's reconcile metrics, per controller. */
function reconcileMetrics(registers: Registry[]) {
  return {
    reconcileTotal: new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    }),
    reconcileErrors: new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    }),
    terminalReconcileErrors: new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    }),
    reconcilePanics: new Counter({
      name: 'controller_runtime_reconcile_panics_total',
      help: 'Total number of reconciliation panics (thrown non-HubErrors) per controller',
      labelNames: ['controller'],
      registers,
    }),
    reconcileTime: new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_BUCKETS,
      registers,
    }),
    reconcileTimeouts: new Counter({
      name: 'controller_runtime_reconcile_timeouts_total',
      help: 'Total number of reconciliation timeouts per controller',
      labelNames: ['controller'],
      registers,
    }),
    maxConcurrentReconciles: new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    }),
    activeWorkers: new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    }),
  };
}

/** client-go's workqueue metrics, per queue (`name`) and controller. */
function workqueueMetrics(registers: Registry[]) {
  const q = ['name', 'controller'] as const;
  return {
    workqueueDepth: new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: q,
      registers,
    }),
    workqueueAdds: new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: q,
      registers,
    }),
    workqueueRetries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: q,
      registers,
    }),
    workqueueQueueDuration: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: q,
      buckets: QUEUE_BUCKETS,
      registers,
    }),
    workqueueWorkDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: q,
      buckets: QUEUE_BUCKETS,
      registers,
    }),
    workqueueUnfinishedWork: new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration',
      labelNames: q,
      registers,
    }),
    workqueueLongestRunning: new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running',
      labelNames: q,
      registers,
    }),
  };
}

/** Leader election, the REST client, the controller's API requests and the webhooks. */
function clientMetrics(registers: Registry[]) {
  return {
    leaderElectionMasterStatus: new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
      labelNames: ['name'],
      registers,
    }),
    restClientRequests: new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests, partitioned by status code, method, and host',
      labelNames: ['code', 'method', 'host'],
      registers,
    }),
    restClientRequestDuration: new Histogram({
      name: 'rest_client_request_duration_seconds',
      help: 'Request latency in seconds. Broken down by verb, and host',
      labelNames: ['verb', 'host'],
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers,
    }),
    apiRequests: new Counter({
      name: 'hub_controller_api_requests_total',
      help: 'API requests of the controller by Kubernetes verb and HTTP code (Lease renewals as verb="lease", Events as verb="event")',
      labelNames: ['verb', 'code'],
      registers,
    }),
    webhookRequests: new Counter({
      name: 'controller_runtime_webhook_requests_total',
      help: 'Total number of admission requests by HTTP status code',
      labelNames: ['webhook', 'code'],
      registers,
    }),
    webhookLatency: new Histogram({
      name: 'controller_runtime_webhook_latency_seconds',
      help: 'Histogram of the latency of processing admission requests',
      labelNames: ['webhook'],
      registers,
    }),
  };
}

import type { KubeRequestRecord, KubeTransport, KubeVerb } from '@hub/datapack';
import type { ControllerMetrics } from './metrics.ts';

/** API requests by verb, split into the catalogue work and the leader election's lease traffic. */
export interface RequestCounts {
  /** Requests other than the Lease's, by verb. */
  byVerb: Record<KubeVerb, number>;
  /** create + update + patch + apply + delete in `byVerb`. */
  writes: number;
  /** The Lease's get/create/update requests. */
  lease: number;
  /** Answers with 409 Conflict (not AlreadyExists) among the writes. */
  conflicts: number;
  /** Events recorded (POSTs to `events`); not in `byVerb` or `writes`. */
  events: number;
}

const WRITE_VERBS: readonly KubeVerb[] = ['create', 'update', 'patch', 'apply', 'delete'];

export interface RequestCounter {
  counts(): RequestCounts;
  /** Counts since `since` (a previous `counts()`), for "this reconcile issued no writes" checks. */
  delta(since: RequestCounts): RequestCounts;
  dispose(): void;
}

function empty(): RequestCounts {
  return {
    byVerb: { get: 0, list: 0, watch: 0, create: 0, update: 0, patch: 0, apply: 0, delete: 0 },
    writes: 0,
    lease: 0,
    conflicts: 0,
    events: 0,
  };
}

/** Counts every request the transport makes, and feeds client-go's `rest_client_*` metrics. */
export function countRequests(transport: KubeTransport, metrics?: ControllerMetrics): RequestCounter {
  const current = empty();
  const host = new URL(transport.server).host;
  const stop = transport.onRequest((record: KubeRequestRecord) => {
    metrics?.restClientRequests.inc({
      code: String(record.status || '<error>'),
      method: record.method,
      host,
    });
    if (record.verb !== 'watch') {
      metrics?.restClientRequestDuration.observe({ verb: record.method, host }, record.durationMs / 1000);
    }
    const code = String(record.status || '<error>');
    if (record.path.includes('/leases/') || record.path.endsWith('/leases')) {
      current.lease++;
      metrics?.apiRequests.inc({ verb: 'lease', code });
      return;
    }
    if (/\/events(\/|$)/.test(record.path)) {
      current.events++;
      metrics?.apiRequests.inc({ verb: 'event', code });
      return;
    }
    metrics?.apiRequests.inc({ verb: record.verb, code });
    current.byVerb[record.verb]++;
    if (WRITE_VERBS.includes(record.verb)) {
      current.writes++;
      if (record.status === 409) current.conflicts++;
    }
  });
  return {
    counts: () => ({ ...current, byVerb: { ...current.byVerb } }),
    delta(since) {
      const out = empty();
      for (const verb of Object.keys(out.byVerb) as KubeVerb[]) {
        out.byVerb[verb] = current.byVerb[verb] - since.byVerb[verb];
      }
      out.writes = current.writes - since.writes;
      out.lease = current.lease - since.lease;
      out.conflicts = current.conflicts - since.conflicts;
      out.events = current.events - since.events;
      return out;
    },
    dispose: () => void stop(),
  };
}

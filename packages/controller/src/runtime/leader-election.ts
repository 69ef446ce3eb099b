import { isKubeApiError, type KubeTransport, sleep } from '@hub/datapack';
import type { Logger } from './logger.ts';
import type { ControllerMetrics } from './metrics.ts';

export interface LeaderElectionOptions {
  transport: KubeTransport;
  namespace: string;
  /** Lease name (`--leader-election-id`). */
  name: string;
  /** Unique per replica: pod name or host name plus a random suffix. */
  identity: string;
  /** controller-runtime's defaults: 15 s, 10 s, 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  metrics?: ControllerMetrics;
  log?: Logger;
}

/** How leadership ended. */
export type LeadershipEnd = 'released' | 'lost' | 'never-acquired';

/** A coordination.k8s.io/v1 Lease elector (a port of client-go's leaderelection). */
export interface LeaderElector {
  readonly identity: string;
  isLeader(): boolean;
  /** Settles once this replica leads. */
  readonly leading: Promise<void>;
  /**
   * Campaigns until `signal` aborts or leadership is lost. On abort while leading the Lease is
   * released (holder cleared) so a standby takes over at its next retry instead of after 15 s.
   */
  run(signal: AbortSignal): Promise<LeadershipEnd>;
}

interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function createLeaderElector(options: LeaderElectionOptions): LeaderElector {
  const { transport, namespace, name, identity } = options;
  const leaseDuration = options.leaseDurationMs ?? 15_000;
  const renewDeadline = options.renewDeadlineMs ?? 10_000;
  const retryPeriod = options.retryPeriodMs ?? 2_000;
  const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const path = `${base}/${encodeURIComponent(name)}`;
  const log = options.log?.with({ lease: `${namespace}/${name}`, identity });
  const gauge = options.metrics?.leaderElectionMasterStatus;
  gauge?.set({ name }, 0);
  let leader = false;
  let markLeading!: () => void;
  const leading = new Promise<void>((resolve) => {
    markLeading = resolve;
  });
  // Expiry is judged on our own clock from when we last saw the record change (clocks of replicas differ).
  let observed: { record: string; at: number; lease: Lease } | undefined;

  async function tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = new Date();
    let current: Lease | undefined;
    try {
      current = await transport.request<Lease>(path, { verb: 'get', signal, timeoutMs: retryPeriod * 2 });
    } catch (error) {
      if (!(isKubeApiError(error) && error.code === 'NOT_FOUND')) throw error;
    }
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.round(leaseDuration / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    if (!current) {
      await transport.request(base, {
        verb: 'create',
        method: 'POST',
        signal,
        timeoutMs: retryPeriod * 2,
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec },
      });
      return true;
    }
    const record = JSON.stringify(current.spec ?? {});
    if (observed?.record !== record) observed = { record, at: Date.now(), lease: current };
    const holder = current.spec?.holderIdentity ?? '';
    const heldBySomeoneElse = holder !== '' && holder !== identity;
    const durationMs = (current.spec?.leaseDurationSeconds ?? leaseDuration / 1000) * 1000;
    if (heldBySomeoneElse && observed.at + durationMs > Date.now()) return false;
    if (holder === identity) {
      spec.acquireTime = current.spec?.acquireTime ?? spec.acquireTime;
      spec.leaseTransitions = current.spec?.leaseTransitions ?? 0;
    } else {
      spec.leaseTransitions = (current.spec?.leaseTransitions ?? 0) + 1;
    }
    // resourceVersion makes this an optimistic write: two candidates racing, one gets a 409.
    const updated = await transport.request<Lease>(path, {
      verb: 'update',
      method: 'PUT',
      signal,
      timeoutMs: retryPeriod * 2,
      body: { ...current, spec },
    });
    observed = { record: JSON.stringify(updated.spec ?? {}), at: Date.now(), lease: updated };
    return true;
  }

  async function release(): Promise<void> {
    try {
      const current = await transport.request<Lease>(path, { verb: 'get', timeoutMs: 2_000 });
      if (current.spec?.holderIdentity !== identity) return;
      const now = microTime();
      await transport.request(path, {
        verb: 'update',
        method: 'PUT',
        timeoutMs: 2_000,
        body: {
          ...current,
          spec: {
            ...current.spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
          },
        },
      });
      log?.info('released the leader lease');
    } catch (error) {
      log?.error('could not release the leader lease; a standby takes over when it expires', { error });
    }
  }

  return {
    identity,
    isLeader: () => leader,
    leading,
    async run(signal) {
      // Campaign.
      while (!signal.aborted) {
        try {
          if (await tryAcquireOrRenew(signal)) break;
        } catch (error) {
          if (!signal.aborted) log?.debug('lease acquisition attempt failed', { error });
        }
        await sleep(retryPeriod * (1 + Math.random() * 0.2), signal);
      }
      if (signal.aborted) return 'never-acquired';
      leader = true;
      gauge?.set({ name }, 1);
      log?.info('became leader');
      markLeading();
      // Renew every retryPeriod; give up when no renewal succeeded within renewDeadline.
      let lastRenew = Date.now();
      while (!signal.aborted) {
        await sleep(retryPeriod, signal);
        if (signal.aborted) break;
        try {
          const deadline = AbortSignal.timeout(Math.max(1, renewDeadline - (Date.now() - lastRenew)));
          if (await tryAcquireOrRenew(AbortSignal.any([signal, deadline]))) {
            lastRenew = Date.now();
            continue;
          }
          // Someone else holds it: we lost it.
          lastRenew = 0;
        } catch (error) {
          if (signal.aborted) break;
          log?.error('lease renewal failed', { error });
        }
        if (Date.now() - lastRenew >= renewDeadline) {
          leader = false;
          gauge?.set({ name }, 0);
          log?.error('leadership lost: the lease was not renewed within the renew deadline');
          return 'lost';
        }
      }
      await release();
      leader = false;
      gauge?.set({ name }, 0);
      return 'released';
    },
  };
}

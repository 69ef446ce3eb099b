import type { KubeTransport } from '@hub/datapack';
import { type Clock, systemClock } from './clock.ts';
import { type Lease, type LeaseClient, transportLeaseClient } from './lease-client.ts';
import type { Logger } from './logger.ts';
import type { ControllerMetrics } from './metrics.ts';

export interface LeaderElectionOptions {
  /** The apiserver; the Lease `namespace/name` is read and written through it unless `leases` is given. */
  transport?: KubeTransport;
  /** The Lease's reads and writes (default: through `transport`); tests pass a fake. */
  leases?: LeaseClient;
  namespace: string;
  /** Lease name (`--leader-election-id`). */
  name: string;
  /** Unique per replica: pod name or host name plus a random suffix. */
  identity: string;
  /** controller-runtime's defaults: 15 s, 10 s, 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Waits and expiry (default: the system's monotonic clock); tests pass a fake. */
  clock?: Clock;
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
   * Campaigns until `signal` aborts or leadership is lost. Lost means no renewal landed within the renew
   * deadline of the last one (a renewal still in flight then is aborted) or another replica holds the Lease;
   * `run` then settles at once with `'lost'`, without touching the Lease. On abort while leading the Lease is
   * released (holder cleared) so a standby takes over at its next retry instead of after 15 s.
   */
  run(signal: AbortSignal): Promise<LeadershipEnd>;
}

/** MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function leaseClientOf(options: LeaderElectionOptions, timeoutMs: number): LeaseClient {
  if (options.leases) return options.leases;
  if (!options.transport) throw new TypeError('createLeaderElector needs a transport or a lease client');
  return transportLeaseClient(options.transport, {
    namespace: options.namespace,
    name: options.name,
    timeoutMs,
  });
}

/** What the elector's steps share: its settings, the Lease client, and what it has seen of the Lease. */
interface Election {
  readonly identity: string;
  readonly leaseDuration: number;
  readonly renewDeadline: number;
  readonly retryPeriod: number;
  readonly clock: Clock;
  readonly leases: LeaseClient;
  readonly log: Logger | undefined;
  // Expiry is judged on our own clock from when we last saw the record change: the holder's renewTime is
  // written by its clock, and clocks of replicas differ.
  observed: { record: string; at: number } | undefined;
}

export function createLeaderElector(options: LeaderElectionOptions): LeaderElector {
  const { namespace, name, identity } = options;
  const retryPeriod = options.retryPeriodMs ?? 2_000;
  const election: Election = {
    identity,
    leaseDuration: options.leaseDurationMs ?? 15_000,
    renewDeadline: options.renewDeadlineMs ?? 10_000,
    retryPeriod,
    clock: options.clock ?? systemClock,
    leases: leaseClientOf(options, retryPeriod * 2),
    log: options.log?.with({ lease: `${namespace}/${name}`, identity }),
    observed: undefined,
  };
  const { log } = election;
  const gauge = options.metrics?.leaderElectionMasterStatus;
  gauge?.set({ name }, 0);
  let leader = false;
  const { promise: leading, resolve: markLeading } = Promise.withResolvers<void>();

  return {
    identity,
    isLeader: () => leader,
    leading,
    async run(signal) {
      const acquiredAt = await acquire(election, signal);
      if (signal.aborted || acquiredAt === undefined) return 'never-acquired';
      leader = true;
      gauge?.set({ name }, 1);
      log?.info('became leader');
      markLeading();
      const kept = await keepLeading(election, acquiredAt, signal);
      leader = false;
      gauge?.set({ name }, 0);
      if (!kept) {
        // Not released: the Lease may already be another replica's, and we cannot reach it anyway.
        log?.error(
          'leadership lost: no renewal within the renew deadline, or another replica holds the lease',
        );
        return 'lost';
      }
      await release(election);
      return 'released';
    },
  };
}

/** Campaigns until the Lease is ours: the start time of the attempt that won it, or undefined on abort. */
async function acquire(election: Election, signal: AbortSignal): Promise<number | undefined> {
  const { clock, retryPeriod, log } = election;
  while (!signal.aborted) {
    const startedAt = clock.now();
    try {
      if (await tryAcquireOrRenew(election, signal)) return startedAt;
    } catch (error) {
      if (!signal.aborted) log?.debug('lease acquisition attempt failed', { error });
    }
    // The jitter keeps candidates that started together from retrying in lockstep.
    await clock.sleep(retryPeriod * (1 + Math.random() * 0.2), signal);
  }
  return undefined;
}

/** One attempt: true when we hold the Lease afterwards, false when another replica validly holds it. */
async function tryAcquireOrRenew(election: Election, signal: AbortSignal): Promise<boolean> {
  const { identity, leaseDuration, clock, leases } = election;
  const now = clock.date();
  const current = await leases.get(signal);
  const spec = {
    holderIdentity: identity,
    leaseDurationSeconds: Math.round(leaseDuration / 1000),
    acquireTime: microTime(now),
    renewTime: microTime(now),
    leaseTransitions: 0,
  };
  if (!current) {
    const created = await leases.create(spec, signal);
    election.observed = { record: JSON.stringify(created.spec ?? {}), at: clock.now() };
    return true;
  }
  const record = JSON.stringify(current.spec ?? {});
  if (election.observed?.record !== record) election.observed = { record, at: clock.now() };
  const holder = current.spec?.holderIdentity ?? '';
  const heldBySomeoneElse = holder !== '' && holder !== identity;
  const durationMs = (current.spec?.leaseDurationSeconds ?? leaseDuration / 1000) * 1000;
  if (heldBySomeoneElse && election.observed.at + durationMs > clock.now()) return false;
  if (holder === identity) {
    spec.acquireTime = current.spec?.acquireTime || spec.acquireTime;
    spec.leaseTransitions = current.spec?.leaseTransitions ?? 0;
  } else {
    spec.leaseTransitions = (current.spec?.leaseTransitions ?? 0) + 1;
  }
  // resourceVersion makes this an optimistic write: two candidates racing, one gets a 409.
  const updated = await leases.update({ ...current, spec }, signal);
  election.observed = { record: JSON.stringify(updated.spec ?? {}), at: clock.now() };
  return true;
}

/** Renews every retry period; the start time of the renewal that landed, or undefined when the term ended. */
async function renewWithin(election: Election, term: AbortSignal): Promise<number | undefined> {
  const { clock, retryPeriod, log } = election;
  while (!term.aborted) {
    await clock.sleep(retryPeriod, term);
    if (term.aborted) return undefined;
    const startedAt = clock.now();
    try {
      if (await tryAcquireOrRenew(election, term)) return startedAt;
      log?.error('the lease is held by another replica');
      return undefined;
    } catch (error) {
      if (!term.aborted) log?.error('lease renewal failed', { error });
    }
  }
  return undefined;
}

/** Keeps the Lease until `signal` aborts (true) or a renewal misses the renew deadline (false). */
async function keepLeading(election: Election, acquiredAt: number, signal: AbortSignal): Promise<boolean> {
  const { clock, renewDeadline } = election;
  let renewedAt = acquiredAt;
  while (!signal.aborted) {
    // The deadline cuts a renewal in flight: a hung request must not stretch leadership past it.
    const deadline = new AbortController();
    const term = AbortSignal.any([signal, deadline.signal]);
    const timer = clock.sleep(renewedAt + renewDeadline - clock.now(), term).then(() => deadline.abort());
    const renewed = await renewWithin(election, term);
    deadline.abort();
    await timer;
    if (signal.aborted) return true;
    if (renewed === undefined) return false;
    renewedAt = renewed;
  }
  return true;
}

/** Clears the holder so that a standby takes over at its next retry instead of when the Lease expires. */
async function release({ identity, clock, leases, log }: Election): Promise<void> {
  const signal = AbortSignal.timeout(2_000);
  try {
    const current = await leases.get(signal);
    if (current?.spec?.holderIdentity !== identity) return;
    const now = microTime(clock.date());
    const released: Lease = {
      ...current,
      spec: {
        ...current.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
      },
    };
    await leases.update(released, signal);
    log?.info('released the leader lease');
  } catch (error) {
    log?.error('could not release the leader lease; a standby takes over when it expires', { error });
  }
}

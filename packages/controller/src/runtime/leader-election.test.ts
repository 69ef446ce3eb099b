import { KubeApiError } from '@hub/datapack';
import { describe, expect, it } from 'vitest';
import type { Clock } from './clock.ts';
import { createLeaderElector, type LeaderElectionOptions, type LeadershipEnd } from './leader-election.ts';
import type { Lease, LeaseClient, LeaseSpec } from './lease-client.ts';

/** A clock that moves only when told to; sleepers wake in time order, each with its promise chains run. */
function fakeClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = 1_000_000;
  let timers: Array<{ at: number; wake: () => void }> = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    date: () => new Date(now),
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = {
          at: now + Math.max(0, ms),
          wake: () => {
            signal?.removeEventListener('abort', timer.wake);
            timers = timers.filter((t) => t !== timer);
            resolve();
          },
        };
        timers.push(timer);
        signal?.addEventListener('abort', timer.wake, { once: true });
      });
    },
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        const next = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        now = next.at;
        next.wake();
        await settle();
      }
      now = end;
      await settle();
    },
  };
}

/** One Lease in memory with the apiserver's optimistic concurrency; `cut` makes every request hang. */
function fakeLeases() {
  let stored: Lease | undefined;
  let version = 0;
  const calls: string[] = [];
  const state = { cut: false, conflicts: 0, beforeUpdate: undefined as (() => void) | undefined };
  const answer = <T>(call: string, signal: AbortSignal, value: () => T): Promise<T> => {
    calls.push(call);
    if (!state.cut) return Promise.resolve().then(value);
    // A partition: no answer; only the caller's signal ends the request.
    return new Promise<T>((_, reject) => {
      const aborted = () => reject(new KubeApiError('ABORTED', `${call}: aborted`));
      if (signal.aborted) aborted();
      else signal.addEventListener('abort', aborted, { once: true });
    });
  };
  const write = (spec: LeaseSpec | undefined): Lease => {
    version++;
    stored = {
      metadata: { name: 'lease', namespace: 'ns', resourceVersion: String(version) },
      ...(spec ? { spec: { ...spec } } : {}),
    };
    return structuredClone(stored);
  };
  const client: LeaseClient = {
    get: (signal) => answer('get', signal, () => (stored ? structuredClone(stored) : undefined)),
    create: (spec, signal) =>
      answer('create', signal, () => {
        if (stored) throw new KubeApiError('ALREADY_EXISTS', 'lease exists', { status: 409 });
        return write(spec);
      }),
    update: (lease, signal) =>
      answer('update', signal, () => {
        state.beforeUpdate?.();
        if (lease.metadata.resourceVersion !== stored?.metadata.resourceVersion) {
          state.conflicts++;
          throw new KubeApiError('CONFLICT', 'lease changed', { status: 409, retryable: true });
        }
        return write(lease.spec);
      }),
  };
  return {
    client,
    calls,
    state,
    lease: () => stored,
    /** Another writer (another replica, kubectl) replaces the spec. */
    put: (spec: LeaseSpec) => write(spec),
  };
}

function elector(
  leases: ReturnType<typeof fakeLeases>,
  clock: Clock,
  identity = 'me',
  extra: Partial<LeaderElectionOptions> = {},
) {
  const e = createLeaderElector({
    leases: leases.client,
    clock,
    namespace: 'ns',
    name: 'lease',
    identity,
    ...extra,
  });
  const stop = new AbortController();
  let end: LeadershipEnd | undefined;
  const running = e.run(stop.signal).then((value) => {
    end = value;
    return value;
  });
  return { e, stop, running, end: () => end };
}

const other = (renewTime: string): LeaseSpec => ({
  holderIdentity: 'other',
  leaseDurationSeconds: 15,
  acquireTime: renewTime,
  renewTime,
  leaseTransitions: 3,
});

describe('createLeaderElector', () => {
  it('acquires a missing Lease at once', async () => {
    const clock = fakeClock();
    const leases = fakeLeases();
    const a = elector(leases, clock);
    await clock.advance(0);
    await a.e.leading;
    expect(a.e.isLeader()).toBe(true);
    expect(leases.lease()?.spec).toMatchObject({
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
    });
    a.stop.abort();
    await a.running;
  });

  it('renews every retry period, keeping acquireTime and the transition count', async () => {
    const clock = fakeClock();
    const leases = fakeLeases();
    const a = elector(leases, clock);
    await clock.advance(0);
    const acquired = leases.lease()?.spec;
    const updatesBefore = leases.calls.filter((c) => c === 'update').length;
    await clock.advance(60_000);
    expect(a.e.isLeader()).toBe(true);
    expect(a.end()).toBeUndefined();
    expect(leases.calls.filter((c) => c === 'update').length - updatesBefore).toBe(30);
    expect(leases.lease()?.spec?.acquireTime).toBe(acquired?.acquireTime);
    expect(leases.lease()?.spec?.leaseTransitions).toBe(0);
    expect(leases.lease()?.metadata.resourceVersion).toBe('31');
    a.stop.abort();
    await a.running;
  });

  it("judges another holder's expiry on its own clock, never on the holder's renewTime", async () => {
    const clock = fakeClock();
    const leases = fakeLeases();
    // Written by a holder whose clock is an hour behind: by that renewTime it expired long ago.
    leases.put(other('2000-01-01T00:00:00.000000Z'));
    const a = elector(leases, clock);
    await clock.advance(14_000);
    expect(a.e.isLeader()).toBe(false);
    expect(leases.lease()?.spec?.holderIdentity).toBe('other');
    // The holder goes quiet: 15 s after we first saw this record (plus one jittered retry, up to 2.4 s), it is ours.
    await clock.advance(3_500);
    expect(a.e.isLeader()).toBe(true);
    expect(leases.lease()?.spec).toMatchObject({ holderIdentity: 'me', leaseTransitions: 4 });
    a.stop.abort();
    await a.running;
  });

  it('never takes a Lease whose holder keeps renewing, whatever its renewTime says', async () => {
    const clock = fakeClock();
    const leases = fakeLeases();
    const a = elector(leases, clock);
    leases.put(other('2000-01-01T00:00:00.000000Z'));
    for (let i = 0; i < 30; i++) {
      // A far-future renewTime must not keep it either; only the record changing does.
      leases.put(other(`2000-01-01T00:00:${String(i).padStart(2, '0')}.000000Z`));
      await clock.advance(2_000);
    }
    expect(a.e.isLeader()).toBe(false);
    leases.put(other('2999-01-01T00:00:00.000000Z'));
    // Seen at the next try (up to 2.4 s with the jitter), expired 15 s later, taken at the try after that
    // (up to 2.4 s more): within 20 s whatever the jitter drew (18 s failed about one run in ten).
    await clock.advance(20_000);
    expect(a.e.isLeader()).toBe(true);
    a.stop.abort();
    await a.running;
  });

  it('lets exactly one of two racing candidates win; the other gets a 409 and stays a standby', async () => {
    const clock = fakeClock();
    const leases = fakeLeases();
    leases.put({ holderIdentity: '' }); // released: free for whoever writes first
    const a = elector(leases, clock, 'a');
    const b = elector(leases, clock, 'b');
    await clock.advance(0);
    expect(leases.state.conflicts).toBe(1);
    expect([a.e.isLeader(), b.e.isLeader()].sort()).toEqual([false, true]);
    const [leader, standby] = a.e.isLeader() ? [a, b] : [b, a];
    await clock.advance(30_000);
    expect(leader.e.isLeader()).toBe(true);
    expect(standby.e.isLeader()).toBe(false);
    leader.stop.abort();
    standby.stop.abort();
    await Promise.all([leader.running, standby.running]);
  });

  it('survives a conflict on renewal by retrying within the renew deadline', async () => {
    const clock = fakeClock();
    const leases = fakeLeases();
    const a = elector(leases, clock);
    await clock.advance(0);
    // An unrelated writer bumps the resourceVersion between our read and our write, once.
    leases.state.beforeUpdate = () => {
      leases.state.beforeUpdate = undefined;
      const spec = leases.lease()?.spec;
      if (spec) leases.put(spec);
    };
    await clock.advance(2_000);
    expect(leases.state.conflicts).toBe(1);
    await clock.advance(20_000);
    expect(a.e.isLeader()).toBe(true);
    expect(a.end()).toBeUndefined();
    a.stop.abort();
    await a.running;
  });

  it('loses leadership exactly at the renew deadline when renewals hang, and leaves the Lease alone', async () => {
    const clock = fakeClock();
    const leases = fakeLeases();
    const a = elector(leases, clock);
    await clock.advance(0);
    await clock.advance(4_000); // renewed at +2 s and +4 s
    const renewedAt = clock.now();
    leases.state.cut = true;
    await clock.advance(9_999);
    expect(a.e.isLeader()).toBe(true);
    expect(a.end()).toBeUndefined();
    await clock.advance(1);
    expect(clock.now() - renewedAt).toBe(10_000);
    expect(a.end()).toBe('lost');
    expect(a.e.isLeader()).toBe(false);
    const calls = leases.calls.length;
    leases.state.cut = false;
    await clock.advance(30_000);
    // No release, no further campaign: the Lease may be another replica's by now.
    expect(leases.calls.length).toBe(calls);
    expect(leases.lease()?.spec?.holderIdentity).toBe('me');
  });

  it('loses leadership at once when another replica holds the Lease', async () => {
    const clock = fakeClock();
    const leases = fakeLeases();
    const a = elector(leases, clock);
    await clock.advance(0);
    leases.put(other('2000-01-01T00:00:00.000000Z'));
    await clock.advance(2_000);
    expect(a.end()).toBe('lost');
    expect(leases.lease()?.spec?.holderIdentity).toBe('other');
  });

  it('releases the Lease on stop so a standby takes over at its next retry', async () => {
    const clock = fakeClock();
    const leases = fakeLeases();
    const a = elector(leases, clock, 'a');
    await clock.advance(0);
    const b = elector(leases, clock, 'b');
    await clock.advance(2_000);
    expect(b.e.isLeader()).toBe(false);
    a.stop.abort();
    expect(await a.running).toBe('released');
    expect(a.e.isLeader()).toBe(false);
    expect(leases.lease()?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await clock.advance(2_400);
    expect(b.e.isLeader()).toBe(true);
    expect(leases.lease()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    b.stop.abort();
    await b.running;
  });

  it('ends a campaign that never won without writing', async () => {
    const clock = fakeClock();
    const leases = fakeLeases();
    leases.put(other('2000-01-01T00:00:00.000000Z'));
    const a = elector(leases, clock);
    await clock.advance(4_000);
    a.stop.abort();
    expect(await a.running).toBe('never-acquired');
    expect(leases.calls.filter((c) => c !== 'get')).toEqual([]);
  });
});

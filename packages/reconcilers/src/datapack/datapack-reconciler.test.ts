import { DATA_PACK_CODES, type DataPack } from '@hub/api-types';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../client.ts';
import { DEFAULT_CATALOGUE_POLICY } from '../policy.ts';
import { FakeCluster, FakeRuntime } from '../test-support/fake-cluster.ts';
import { datapackReconciler } from './datapack-reconciler.ts';

function image(name: string, detail: Record<string, unknown> = {}): KubeObject {
  const [org = '', rest = ''] = name.split('/');
  const [repo = '', tag = ''] = rest.split(':');
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Image',
    metadata: {
      name: `${org}.${repo}.${tag}`,
      labels: {
        'organization.imagehub.sealos.io': org,
        'repository.imagehub.sealos.io': repo,
        'tag.imagehub.sealos.io': tag,
      },
    },
    spec: { name, type: 'cluster-image', detail: { creatTime: '2024-01-01T00:00:00Z', ...detail } },
  };
}

function organization(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Organization',
    metadata: { name },
    spec: { name, creator: 'admin', ...spec },
  };
}

function repository(name: string, isPrivate: boolean): KubeObject {
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Repository',
    metadata: { name: name.replace('/', '.') },
    spec: { name, isPrivate },
  };
}

function pack(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'DataPack',
    metadata: { name },
    spec: { type: 'grid', expireTime: '2h', ...spec },
  };
}

function setup() {
  const cluster = new FakeCluster();
  const runtime = new FakeRuntime(cluster, [datapackReconciler(DEFAULT_CATALOGUE_POLICY)]);
  // Only the DataPack controller runs here, so no Repository objects: labring makes them public.
  cluster.create(organization('labring', { defaultPrivate: false }));
  cluster.create(image('labring/mysql:v1', { description: 'MySQL', size: 10 }));
  cluster.create(image('labring/redis:7', { description: 'Redis', size: 5 }));
  return { cluster, runtime };
}

const stored = (cluster: FakeCluster, name: string) => cluster.get('DataPack', name) as DataPack | undefined;

describe('datapackReconciler', () => {
  it('writes PENDING at once, then OK with datas and Ready, and requeues at the expiry', async () => {
    const { cluster, runtime } = setup();
    const mark = cluster.calls.length;
    const created = cluster.create(pack('p1', { names: ['labring/mysql:v1'] }));
    await runtime.settle();
    const writes = cluster.callsSince(mark).filter((c) => c.verb === 'applyStatus');
    expect(writes.map((w) => (w.body?.status as { codes?: number } | undefined)?.codes)).toEqual([
      DATA_PACK_CODES.PENDING,
      DATA_PACK_CODES.OK,
    ]);
    const status = stored(cluster, 'p1')?.status;
    expect(status?.codes).toBe(DATA_PACK_CODES.OK);
    expect(status?.message).toBeUndefined();
    expect(status?.datas?.['labring/mysql:v1']).toMatchObject({
      repoName: 'labring/mysql',
      description: 'MySQL',
      downloadCount: 0,
    });
    expect(status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True', reason: 'Gathered' });
    const expiresAt = Date.parse(created.metadata.creationTimestamp ?? '') + 2 * 3600_000;
    expect(runtime.requeues.at(-1)?.afterMs).toBe(expiresAt - cluster.clock.getTime());
    expect(await runtime.reconcileEverything()).toEqual([]);
  });

  it('stores ERROR naming the missing names, with the resolved ones in datas', async () => {
    const { cluster, runtime } = setup();
    cluster.create(pack('p2', { names: ['labring/mysql:v1', 'labring/mysql:v2', 'labring/none:1'] }));
    await runtime.settle();
    const status = stored(cluster, 'p2')?.status;
    expect(status?.codes).toBe(DATA_PACK_CODES.ERROR);
    expect(status?.message).toBe('images not found: "labring/mysql:v2", "labring/none:1".');
    expect(Object.keys(status?.datas ?? {})).toEqual(['labring/mysql:v1']);
    expect(status?.conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'Incomplete',
      message: status?.message,
    });
    expect(cluster.events.map((e) => e.event.reason)).toContain('DataPackIncomplete');
  });

  it('recomputes when a covered Image appears or changes, and only then', async () => {
    const { cluster, runtime } = setup();
    cluster.create(pack('p3', { names: ['labring/mysql:v1', 'labring/mysql:v2'] }));
    cluster.create(pack('other', { names: ['labring/redis:7'] }));
    await runtime.settle();
    expect(stored(cluster, 'p3')?.status?.codes).toBe(DATA_PACK_CODES.ERROR);
    const before = runtime.reconciles;
    cluster.create(image('labring/mysql:v2', { description: 'MySQL 2' }));
    await runtime.settle();
    expect(stored(cluster, 'p3')?.status?.codes).toBe(DATA_PACK_CODES.OK);
    expect(stored(cluster, 'p3')?.status?.message).toBeUndefined();
    cluster.update('Image', 'labring.mysql.v1', (draft) => {
      (draft.spec as { detail: { description: string } }).detail.description = 'MySQL, updated';
    });
    await runtime.settle();
    expect(stored(cluster, 'p3')?.status?.datas?.['labring/mysql:v1']?.description).toBe('MySQL, updated');
    // p3 is reconciled after each change; `other` (a different repository) never again.
    expect(runtime.reconciles - before).toBeLessThanOrEqual(4);
    const mark = cluster.calls.length;
    cluster.update('Image', 'labring.redis.7', (draft) => {
      (draft.spec as { detail: { description: string } }).detail.description = 'Redis 8';
    });
    await runtime.settle();
    expect(cluster.callsSince(mark).map((c) => c.name)).toEqual(['other']);
  });

  it('deletes the pack once creationTimestamp + expireTime has passed', async () => {
    const { cluster, runtime } = setup();
    const created = cluster.create(pack('p4', { names: ['labring/mysql:v1'], expireTime: '90m' }));
    await runtime.settle();
    const expiresAt = Date.parse(created.metadata.creationTimestamp ?? '') + 90 * 60_000;
    cluster.clock = new Date(expiresAt - 1);
    await runtime.reconcileEverything();
    expect(stored(cluster, 'p4')).toBeDefined();
    cluster.clock = new Date(expiresAt);
    await runtime.reconcileEverything();
    expect(stored(cluster, 'p4')).toBeUndefined();
  });

  it('keeps a pack whose expireTime is unusable (the original deleted "1d" at once) and says why', async () => {
    const { cluster, runtime } = setup();
    cluster.create(pack('p5', { names: ['labring/mysql:v1'], expireTime: '1d' }));
    await runtime.settle();
    const status = stored(cluster, 'p5')?.status;
    expect(status?.codes).toBe(DATA_PACK_CODES.ERROR);
    expect(status?.message).toContain('spec.expireTime "1d"');
    expect(status?.datas?.['labring/mysql:v1']).toBeDefined();
  });

  it('answers invalid names with ERROR instead of crashing (a/:b)', async () => {
    const { cluster, runtime } = setup();
    cluster.create(pack('p6', { names: ['a/:b'] }));
    await runtime.settle();
    expect(stored(cluster, 'p6')?.status).toMatchObject({
      codes: DATA_PACK_CODES.ERROR,
      message: 'not imagehub names (org/repo:tag): "a/:b".',
    });
  });

  it('never stores private repositories: they read as missing, and appear once public', async () => {
    const { cluster, runtime } = setup();
    cluster.create(repository('labring/mysql', true));
    cluster.create(pack('p7', { names: ['labring/mysql:v1', 'labring/redis:7'] }));
    await runtime.settle();
    const hidden = stored(cluster, 'p7')?.status;
    expect(hidden?.codes).toBe(DATA_PACK_CODES.ERROR);
    expect(hidden?.message).toBe('image not found: "labring/mysql:v1".');
    expect(Object.keys(hidden?.datas ?? {})).toEqual(['labring/redis:7']);
    expect(JSON.stringify(hidden)).not.toContain('MySQL');
    cluster.update('Repository', 'labring.mysql', (draft) => {
      (draft.spec as { isPrivate: boolean }).isPrivate = false;
    });
    await runtime.settle();
    expect(stored(cluster, 'p7')?.status?.codes).toBe(DATA_PACK_CODES.OK);
  });

  it('keeps Images with no Repository object private unless their Organization defaults to public', async () => {
    const { cluster, runtime } = setup();
    cluster.create(image('acme/app:1', { description: 'secret' }));
    cluster.create(pack('p8', { names: ['acme/app:1'] }));
    await runtime.settle();
    expect(stored(cluster, 'p8')?.status?.message).toBe('image not found: "acme/app:1".'); // no Organization
    // An object under acme's name that claims another organization decides nothing.
    cluster.create({
      ...organization('acme', { defaultPrivate: false }),
      spec: { name: 'other', defaultPrivate: false },
    });
    cluster.create(pack('p9', { names: ['acme/app:1', 'labring/redis:7'] }));
    await runtime.settle();
    expect(stored(cluster, 'p9')?.status?.message).toBe('image not found: "acme/app:1".');
    cluster.update('Organization', 'acme', (draft) => {
      draft.spec = { name: 'acme', creator: 'admin' }; // defaultPrivate unset: private
    });
    await runtime.settle();
    expect(stored(cluster, 'p8')?.status?.codes).toBe(DATA_PACK_CODES.ERROR);
    cluster.update('Organization', 'acme', (draft) => {
      (draft.spec as { defaultPrivate?: boolean }).defaultPrivate = false;
    });
    await runtime.settle();
    expect(stored(cluster, 'p8')?.status).toMatchObject({ codes: DATA_PACK_CODES.OK });
    expect(stored(cluster, 'p8')?.status?.datas?.['acme/app:1']).toBeDefined();
  });
});

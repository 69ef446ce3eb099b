import type { Organization, Repository } from '@hub/api-types';
import { imageMetadataName, organizationMetadataName, repositoryMetadataName } from '@hub/api-types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Manager } from '../src/index.ts';
import {
  create,
  eventually,
  get,
  imageObject,
  quiescent,
  remove,
  startTestCluster,
  startTestManager,
  type TestCluster,
} from './harness.ts';

// The seed samples of the imagehub design document: no creatTime (the epoch default), so the order
// of the two mysql tags comes from the tie-breaker (tag name, descending, natural order).
const SEED_DETAIL = { keywords: ['mysql', 'database', 'operator'], description: 'MySQL', docs: 'MySQL docs' };
const SEED = ['labring/mysql:v8.0.25', 'labring/mysql:v8.0.31', 'labring/helm:v3.14'];

let cluster: TestCluster;
let manager: (Manager & { lines: string[] }) | undefined;

beforeAll(async () => {
  cluster = await startTestCluster();
  manager = await startTestManager(cluster.controlPlane.kubeConfig);
});

afterEach((context) => {
  // The controller's own log explains a failed convergence better than the timeout does.
  if (context.task.result?.state === 'fail')
    process.stderr.write(`${manager?.lines.slice(-40).join('') ?? ''}\n`);
});

afterAll(async () => {
  await manager?.stop();
  await cluster?.stop();
});

async function repositoryStatus(name: string) {
  const repo = await get<Repository>(cluster.admin, 'Repository', repositoryMetadataName(name));
  return repo?.status;
}

describe('the catalogue controllers against a real apiserver', () => {
  it('converge the seed Image samples into Repositories and an Organization', async () => {
    for (const name of SEED)
      await create(cluster.admin, imageObject(name, imageMetadataName(name), SEED_DETAIL));
    const mysql = await eventually('labring/mysql to list both tags', async () => {
      const status = await repositoryStatus('labring/mysql');
      return status?.tags?.length === 2 ? status : undefined;
    });
    expect(mysql.tags?.map((t) => t.name)).toEqual(['v8.0.31', 'v8.0.25']);
    expect(mysql.latestTag?.name).toBe('v8.0.31');
    expect(mysql.tags?.[0]?.metaName).toBe(imageMetadataName('labring/mysql:v8.0.31'));
    const repo = await get<Repository>(cluster.admin, 'Repository', repositoryMetadataName('labring/mysql'));
    expect(repo?.metadata.labels?.['keyword.imagehub.sealos.io/Database']).toBe('');
    expect(Object.keys(repo?.metadata.labels ?? {}).filter((k) => k.startsWith('keyword.'))).toEqual([
      'keyword.imagehub.sealos.io/Database',
    ]);
    const org = await eventually('Organization labring to list its repos', async () => {
      const o = await get<Organization>(cluster.admin, 'Organization', organizationMetadataName('labring'));
      return o?.status?.repos?.length === 2 ? o : undefined;
    });
    expect(org.status?.repos).toEqual(['labring/helm', 'labring/mysql']);
    const image = await get<{ metadata: { ownerReferences?: Array<{ kind: string; name: string }> } }>(
      cluster.admin,
      'Image',
      imageMetadataName('labring/mysql:v8.0.25'),
    );
    expect(image?.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual([
      `Repository/${repositoryMetadataName('labring/mysql')}`,
    ]);
  });

  it('drops a deleted tag, then deletes the Repository with its last tag and updates the Organization', async () => {
    await remove(cluster.admin, 'Image', imageMetadataName('labring/mysql:v8.0.31'));
    const after = await eventually('v8.0.31 to leave the list', async () => {
      const status = await repositoryStatus('labring/mysql');
      return status?.tags?.length === 1 ? status : undefined;
    });
    expect(after.tags?.map((t) => t.name)).toEqual(['v8.0.25']);
    expect(after.latestTag?.name).toBe('v8.0.25');

    await remove(cluster.admin, 'Image', imageMetadataName('labring/mysql:v8.0.25'));
    await eventually('Repository labring.mysql to be deleted', async () =>
      (await get(cluster.admin, 'Repository', repositoryMetadataName('labring/mysql'))) === undefined
        ? true
        : undefined,
    );
    const org = await eventually('the Organization to forget labring/mysql', async () => {
      const o = await get<Organization>(cluster.admin, 'Organization', organizationMetadataName('labring'));
      return o?.status?.repos?.length === 1 ? o : undefined;
    });
    expect(org.status?.repos).toEqual(['labring/helm']);
  });

  it('writes the visibility into each Repository it creates: private unless the Organization says public', async () => {
    await create(cluster.admin, {
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Organization',
      metadata: { name: organizationMetadataName('opened') },
      spec: { name: 'opened', defaultPrivate: false },
    });
    for (const name of ['opened/app:v1', 'closed/app:v1']) {
      await create(cluster.admin, imageObject(name, imageMetadataName(name), SEED_DETAIL));
    }
    const spec = async (name: string) =>
      eventually(`Repository ${name}`, async () => {
        const repo = await get<Repository>(cluster.admin, 'Repository', repositoryMetadataName(name));
        return repo?.status?.tags?.length === 1 ? repo.spec : undefined;
      });
    // Read back from the apiserver: the CRD default (false) must not have filled it in.
    expect(await spec('closed/app')).toEqual({ name: 'closed/app', isPrivate: true });
    expect(await spec('opened/app')).toEqual({ name: 'opened/app', isPrivate: false });
  });

  it('issues no writes when it reconciles objects that are already converged', async () => {
    for (const tag of ['v1', 'v2', 'v10']) {
      const name = `quiet/app:${tag}`;
      await create(cluster.admin, imageObject(name, imageMetadataName(name), { keywords: ['Storage'] }));
    }
    await eventually('quiet/app to converge', async () =>
      (await repositoryStatus('quiet/app'))?.tags?.map((t) => t.name).join(',') === 'v10,v2,v1'
        ? true
        : undefined,
    );
    await quiescent(manager as Manager);
    await manager?.stop();
    // A fresh manager reconciles every cached object once at start (its informers replay them as ADDED).
    manager = await startTestManager(cluster.controlPlane.kubeConfig);
    const before = manager.requests.counts();
    await quiescent(manager);
    const reconciles = (await manager.metrics.reconcileTotal.get()).values.reduce(
      (sum, v) => sum + v.value,
      0,
    );
    expect(reconciles).toBeGreaterThanOrEqual(5);
    const delta = manager.requests.delta(before);
    expect(delta.byVerb).toMatchObject({ create: 0, update: 0, patch: 0, apply: 0, delete: 0 });
    expect(delta.writes).toBe(0);
    expect(delta.events).toBe(0);
  });
});

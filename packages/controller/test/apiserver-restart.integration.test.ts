import type { Repository } from '@hub/api-types';
import { imageMetadataName, repositoryMetadataName } from '@hub/api-types';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Manager } from '../src/index.ts';
import {
  create,
  eventually,
  get,
  imageObject,
  startTestCluster,
  startTestManager,
  type TestCluster,
} from './harness.ts';

let cluster: TestCluster;
let manager: (Manager & { lines: string[] }) | undefined;

beforeAll(async () => {
  cluster = await startTestCluster();
  manager = await startTestManager(cluster.controlPlane.kubeConfig);
});

afterAll(async () => {
  await manager?.stop();
  await cluster?.stop();
});

const tags = (name: string) => async () => {
  const repo = await get<Repository>(cluster.admin, 'Repository', repositoryMetadataName(name));
  return repo?.status?.tags?.map((t) => t.name).join(',');
};

it('recovers from a kube-apiserver restart and converges without restarting itself', async () => {
  const m = manager as Manager & { lines: string[] };
  await create(cluster.admin, imageObject('restart/app:v1', imageMetadataName('restart/app:v1')));
  await eventually('v1 to be listed', async () =>
    (await tags('restart/app')()) === 'v1' ? true : undefined,
  );
  const imageInformer = m.factory.informers().find((i) => i.resource.kind === 'Image');
  const before = imageInformer?.stats();
  // Work in flight across the outage: a create just before the kill.
  await create(cluster.admin, imageObject('restart/app:v2', imageMetadataName('restart/app:v2')));
  const oldPid = cluster.controlPlane.pids.kubeApiserver;
  await cluster.controlPlane.restartApiserver();
  expect(cluster.controlPlane.pids.kubeApiserver).not.toBe(oldPid);
  // Created after the restart: only a re-established watch can deliver it.
  await create(cluster.admin, imageObject('restart/app:v3', imageMetadataName('restart/app:v3')));
  await create(cluster.admin, imageObject('restart/db:v1', imageMetadataName('restart/db:v1')));
  await eventually(
    'all tags after the restart',
    async () => ((await tags('restart/app')()) === 'v3,v2,v1' ? true : undefined),
    60_000,
  );
  await eventually(
    'a new repository after the restart',
    async () => ((await tags('restart/db')()) === 'v1' ? true : undefined),
    30_000,
  );
  const after = imageInformer?.stats();
  expect(after?.watches ?? 0).toBeGreaterThan(before?.watches ?? 0);
  expect(after?.errors ?? 0).toBeGreaterThan(before?.errors ?? 0);
  // Same manager object, still running: nothing restarted it.
  expect(m.isLeader()).toBe(true);
  expect(m.lines.some((line) => line.includes('"msg":"stopped"'))).toBe(false);
});

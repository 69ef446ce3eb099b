import {
  ANNOTATION_REQUESTER,
  type Image,
  keywordLabelKey,
  LABEL_ORGANIZATION,
  LABEL_REPOSITORY,
  LABEL_TAG,
  type Organization,
  type Repository,
} from '@hub/api-types';
import {
  type CataloguePolicy,
  cataloguePolicy,
  catalogueReconcilers,
  type KubeObject,
  organizationRoleName,
} from '@hub/reconcilers';
import { describe, expect, it } from 'vitest';
import { FakeCluster, FakeRuntime } from './test-support/fake-cluster.ts';
import { imageObject, organizationObject, seedImages } from './test-support/objects.ts';

const pusher = 'system:serviceaccount:user-system:labring';

function setup(overrides: Partial<CataloguePolicy> = {}) {
  const cluster = new FakeCluster();
  const runtime = new FakeRuntime(cluster, catalogueReconcilers(cataloguePolicy(overrides)));
  return { cluster, runtime };
}

function withRequester(image: Image, requester = pusher): Image {
  return { ...image, metadata: { ...image.metadata, annotations: { [ANNOTATION_REQUESTER]: requester } } };
}

const repo = (cluster: FakeCluster, name: string) =>
  cluster.get('Repository', name) as Repository | undefined;
const org = (cluster: FakeCluster, name: string) =>
  cluster.get('Organization', name) as Organization | undefined;
const tagNames = (repository: Repository | undefined) => repository?.status?.tags?.map((t) => t.name);
const ready = (object: KubeObject | undefined) =>
  (object?.status as { conditions?: { type: string }[] } | undefined)?.conditions?.find(
    (c) => c.type === 'Ready',
  );

describe('the seed samples converge', () => {
  async function seeded() {
    const env = setup();
    for (const image of seedImages()) env.cluster.create(withRequester(image));
    await env.runtime.settle();
    return env;
  }

  it('lists labring/mysql v8.0.31 before v8.0.25 (equal creatTime: natural tag order, descending)', async () => {
    const { cluster } = await seeded();
    const mysql = repo(cluster, 'labring.mysql');
    expect(mysql?.spec.name).toBe('labring/mysql');
    expect(mysql?.status?.tags).toEqual([
      // pushTime: when each Image was first seen (the fake cluster's creationTimestamps).
      {
        name: 'v8.0.31',
        metaName: 'labring.mysql.v8.0.31',
        creatTime: '1970-01-01T00:00:00Z',
        pushTime: '2026-01-01T00:00:02Z',
      },
      {
        name: 'v8.0.25',
        metaName: 'labring.mysql.v8.0.25',
        creatTime: '1970-01-01T00:00:00Z',
        pushTime: '2026-01-01T00:00:01Z',
      },
    ]);
    expect(mysql?.status?.latestTag?.name).toBe('v8.0.31');
    expect(mysql?.status?.tagCount).toBe(2);
    expect(mysql?.status?.observedGeneration).toBe(1);
    expect(ready(mysql)).toMatchObject({ status: 'True', reason: 'Synced', observedGeneration: 1 });
    expect(tagNames(repo(cluster, 'labring.helm'))).toEqual(['v3.14']);
  });

  it('labels Images and Repositories, keyword labels from the latest tag', async () => {
    const { cluster } = await seeded();
    expect(cluster.get('Image', 'labring.mysql.v8.0.25')?.metadata.labels).toEqual({
      [LABEL_ORGANIZATION]: 'labring',
      [LABEL_REPOSITORY]: 'mysql',
      [LABEL_TAG]: 'v8.0.25',
    });
    // keywords [mysql, database, operator]: only `database` is in the vocabulary.
    expect(repo(cluster, 'labring.mysql')?.metadata.labels).toEqual({
      [LABEL_ORGANIZATION]: 'labring',
      [LABEL_REPOSITORY]: 'mysql',
      [keywordLabelKey('Database')]: '',
    });
  });

  it('owns each Image by its Repository and each Repository by its Organization', async () => {
    const { cluster } = await seeded();
    const mysql = repo(cluster, 'labring.mysql');
    const labring = org(cluster, 'labring');
    expect(cluster.get('Image', 'labring.mysql.v8.0.31')?.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'Repository',
        name: 'labring.mysql',
        uid: mysql?.metadata.uid,
        controller: true,
      }),
    ]);
    expect(mysql?.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'Organization',
        name: 'labring',
        uid: labring?.metadata.uid,
        controller: true,
      }),
    ]);
  });

  it('creates Organization labring with the first pusher as creator and manager, listing its repos', async () => {
    const { cluster } = await seeded();
    const labring = org(cluster, 'labring');
    expect(labring?.spec).toEqual({ name: 'labring', creator: 'labring', manager: ['labring'] });
    expect(labring?.status?.repos).toEqual(['labring/helm', 'labring/mysql']);
    expect(ready(labring)).toMatchObject({ status: 'True', reason: 'Synced' });
    const binding = cluster.getObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      name: organizationRoleName('labring'),
    });
    expect(binding?.subjects).toEqual([
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'labring' },
      { kind: 'ServiceAccount', name: 'labring', namespace: 'user-system' },
    ]);
    expect(cluster.events.map((e) => e.event.reason)).toEqual(
      expect.arrayContaining(['RepositoryCreated', 'OrganizationCreated', 'Synced']),
    );
  });

  it('a reconcile of converged objects makes zero client calls and records no events', async () => {
    const { cluster, runtime } = await seeded();
    const events = cluster.events.length;
    expect(await runtime.reconcileEverything()).toEqual([]);
    expect(cluster.events.length).toBe(events);
  });

  it('converges in few writes: no write is repeated', async () => {
    const { cluster } = await seeded();
    // 3 Images: 3 metadata + 3 status; 2 Repositories: create + metadata + status each (status may
    // be written once per new tag); 1 Organization: create, ClusterRole, binding, status (per new repo).
    expect(cluster.calls.length).toBeLessThanOrEqual(3 * 2 + 2 * 4 + 6);
    // First listings are told by the Repository's events, not one Event per Image.
    expect(cluster.events.filter((e) => e.about.kind === 'Image')).toEqual([]);
    const writes = cluster.calls.map((c) => JSON.stringify([c.verb, c.kind, c.name, c.body]));
    expect(new Set(writes).size).toBe(writes.length);
  });
});

describe('many Images at once', () => {
  it('converge in at most 3 writes per Image, and then write nothing', async () => {
    const { cluster, runtime } = setup();
    let n = 0;
    for (const o of ['o1', 'o2', 'o3'])
      for (const r of ['r1', 'r2', 'r3', 'r4'])
        for (const t of ['v1', 'v2', 'v3', 'v4', 'v5'])
          cluster.create(
            withRequester(
              imageObject(`${o}/${r}:${t}`, { creatTime: new Date(Date.UTC(2024, 0, ++n)).toISOString() }),
            ),
          );
    await runtime.settle();
    expect(n).toBe(60);
    expect(cluster.calls.length / n).toBeLessThanOrEqual(3);
    expect(tagNames(repo(cluster, 'o2.r3'))).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);
    expect(org(cluster, 'o3')?.status?.repos).toEqual(['o3/r1', 'o3/r2', 'o3/r3', 'o3/r4']);
    expect(await runtime.reconcileEverything()).toEqual([]);
  });
});

describe('conditions', () => {
  it('Ready keeps its lastTransitionTime while its status stays, and moves when it changes', async () => {
    const { cluster, runtime } = setup({ missingOrganization: 'wait' });
    cluster.create(organizationObject('acme', 'alice'));
    cluster.create(imageObject('acme/app:v1'));
    await runtime.settle();
    const first = ready(repo(cluster, 'acme.app')) as
      | { lastTransitionTime?: string; message?: string }
      | undefined;
    cluster.clock = new Date('2026-01-02T00:00:00Z');
    cluster.create(imageObject('acme/app:v2'));
    await runtime.settle();
    const second = ready(repo(cluster, 'acme.app')) as
      | { lastTransitionTime?: string; message?: string }
      | undefined;
    expect(second?.message).not.toBe(first?.message);
    expect(second?.lastTransitionTime).toBe(first?.lastTransitionTime);
    cluster.clock = new Date('2026-01-03T00:00:00Z');
    cluster.remove('Organization', 'acme');
    await runtime.settle();
    expect(ready(repo(cluster, 'acme.app'))).toMatchObject({
      status: 'False',
      reason: 'OrganizationMissing',
      lastTransitionTime: '2026-01-03T00:00:00Z',
    });
  });
});

describe('tag order', () => {
  it('newest creatTime first; equal times by tag name, natural order descending (v10 before v9)', async () => {
    const { cluster, runtime } = setup();
    const t = '2024-01-01T00:00:00Z';
    for (const [tag, time] of [
      ['v9', t],
      ['v10', t],
      ['v2', '2025-06-01T00:00:00Z'],
      ['v1', '2023-01-01T00:00:00Z'],
    ] as const) {
      cluster.create(imageObject(`acme/app:${tag}`, { creatTime: time }));
    }
    await runtime.settle();
    expect(tagNames(repo(cluster, 'acme.app'))).toEqual(['v2', 'v10', 'v9', 'v1']);
    expect(repo(cluster, 'acme.app')?.status?.latestTag?.name).toBe('v2');
  });

  it('does not depend on the order the Images arrive in', async () => {
    const tags = ['v1.10', 'v1.9', 'v1.9.1', 'latest', 'v2'];
    const orders = [tags, [...tags].reverse(), [tags[2], tags[0], tags[4], tags[1], tags[3]]];
    const results: (string[] | undefined)[] = [];
    for (const order of orders) {
      const { cluster, runtime } = setup();
      for (const tag of order) cluster.create(imageObject(`acme/app:${tag ?? ''}`));
      await runtime.settle();
      results.push(tagNames(repo(cluster, 'acme.app')));
    }
    expect(results[0]).toEqual(['v2', 'v1.10', 'v1.9.1', 'v1.9', 'latest']);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});

describe('deleting Images', () => {
  async function twoTags(policy: Partial<CataloguePolicy> = {}) {
    const env = setup(policy);
    env.cluster.create(
      imageObject('labring/mysql:v1', { creatTime: '2024-01-01T00:00:00Z', keywords: ['storage'] }),
    );
    env.cluster.create(
      imageObject('labring/mysql:v2', {
        creatTime: '2024-02-01T00:00:00Z',
        keywords: ['Database', 'gpu', 'Storage'],
      }),
    );
    env.cluster.create(imageObject('labring/helm:v3', {}));
    await env.runtime.settle();
    return env;
  }

  it('keyword labels follow the latest tag: added and removed', async () => {
    const { cluster, runtime } = await twoTags();
    const keywordLabels = () =>
      Object.keys(repo(cluster, 'labring.mysql')?.metadata.labels ?? {}).filter((k) =>
        k.startsWith('keyword.'),
      );
    expect(keywordLabels().sort()).toEqual([
      keywordLabelKey('Database'),
      keywordLabelKey('GPU'),
      keywordLabelKey('Storage'),
    ]);
    cluster.remove('Image', 'labring.mysql.v2');
    await runtime.settle();
    expect(keywordLabels()).toEqual([keywordLabelKey('Storage')]);
  });

  it('a deleted tag leaves the list and latestTag moves', async () => {
    const { cluster, runtime } = await twoTags();
    cluster.remove('Image', 'labring.mysql.v2');
    await runtime.settle();
    const mysql = repo(cluster, 'labring.mysql');
    expect(tagNames(mysql)).toEqual(['v1']);
    expect(mysql?.status?.latestTag?.name).toBe('v1');
    expect(mysql?.status?.tagCount).toBe(1);
  });

  it('an Image being deleted leaves the list at once (before it is gone)', async () => {
    const { cluster, runtime } = await twoTags();
    cluster.update('Image', 'labring.mysql.v2', (draft) => {
      draft.metadata.deletionTimestamp = '2026-01-01T00:00:10Z';
      draft.metadata.finalizers = ['example.com/hold'];
    });
    await runtime.settle();
    expect(tagNames(repo(cluster, 'labring.mysql'))).toEqual(['v1']);
  });

  it('the last Image gone: the Repository is deleted by the controller and the Organization drops it', async () => {
    const { cluster, runtime } = await twoTags();
    cluster.remove('Image', 'labring.mysql.v1');
    cluster.remove('Image', 'labring.mysql.v2');
    await runtime.settle();
    expect(repo(cluster, 'labring.mysql')).toBeUndefined();
    expect(cluster.calls).toContainEqual({ verb: 'delete', kind: 'Repository', name: 'labring.mysql' });
    expect(org(cluster, 'labring')?.status?.repos).toEqual(['labring/helm']);
    expect(await runtime.reconcileEverything()).toEqual([]);
  });

  it('with deleteEmptyRepositories false the empty Repository stays, with no tags', async () => {
    const { cluster, runtime } = await twoTags({ deleteEmptyRepositories: false });
    cluster.remove('Image', 'labring.mysql.v1');
    cluster.remove('Image', 'labring.mysql.v2');
    await runtime.settle();
    const mysql = repo(cluster, 'labring.mysql');
    expect(mysql?.status).toMatchObject({ tags: [], tagCount: 0 });
    expect(mysql?.status?.latestTag).toBeUndefined();
    expect(ready(mysql)).toMatchObject({ status: 'True', reason: 'Empty' });
    expect(org(cluster, 'labring')?.status?.repos).toEqual(['labring/helm', 'labring/mysql']);
  });

  it('a Repository that never listed an Image is not deleted (no race with its first Image)', async () => {
    const { cluster, runtime } = setup();
    cluster.create({
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Repository',
      metadata: { name: 'acme.new' },
      spec: { name: 'acme/new' },
    });
    await runtime.settle();
    expect(ready(repo(cluster, 'acme.new'))).toMatchObject({ reason: 'Empty' });
    cluster.create(imageObject('acme/new:v1'));
    await runtime.settle();
    expect(tagNames(repo(cluster, 'acme.new'))).toEqual(['v1']);
  });

  it('a push after the Repository was deleted recreates it and re-owns the Image', async () => {
    const { cluster, runtime } = await twoTags();
    cluster.remove('Image', 'labring.mysql.v1');
    cluster.remove('Image', 'labring.mysql.v2');
    await runtime.settle();
    cluster.create(imageObject('labring/mysql:v3'));
    await runtime.settle();
    const mysql = repo(cluster, 'labring.mysql');
    expect(tagNames(mysql)).toEqual(['v3']);
    expect(cluster.get('Image', 'labring.mysql.v3')?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ uid: mysql?.metadata.uid }),
    ]);
  });
});

describe('visibility of the Repositories the controller creates', () => {
  it('private when the Organization says nothing or does not exist yet, written explicitly', async () => {
    const { cluster, runtime } = setup();
    cluster.create(organizationObject('acme', 'alice'));
    cluster.create(withRequester(imageObject('acme/app:v1'), 'alice'));
    cluster.create(withRequester(imageObject('ghost/app:v1'), 'alice'));
    await runtime.settle();
    expect(repo(cluster, 'acme.app')?.spec).toEqual({ name: 'acme/app', isPrivate: true });
    expect(repo(cluster, 'ghost.app')?.spec).toEqual({ name: 'ghost/app', isPrivate: true });
  });

  it("public only when the Organization's defaultPrivate is false", async () => {
    const { cluster, runtime } = setup();
    cluster.create({ ...organizationObject('open', 'olga'), spec: { name: 'open', defaultPrivate: false } });
    cluster.create(imageObject('open/app:v1'));
    await runtime.settle();
    expect(repo(cluster, 'open.app')?.spec).toEqual({ name: 'open/app', isPrivate: false });
  });

  it('an Organization whose spec.name differs from its metadata.name does not decide', async () => {
    const { cluster, runtime } = setup();
    cluster.create({ ...organizationObject('acme'), spec: { name: 'other', defaultPrivate: false } });
    cluster.create(imageObject('acme/app:v1'));
    await runtime.settle();
    expect(repo(cluster, 'acme.app')?.spec.isPrivate).toBe(true);
  });

  it("a Repository deleted with its last Image and re-created takes the default again, not a manager's false", async () => {
    const { cluster, runtime } = setup();
    cluster.create(organizationObject('acme', 'alice'));
    cluster.create(imageObject('acme/app:v1'));
    await runtime.settle();
    expect(repo(cluster, 'acme.app')?.spec.isPrivate).toBe(true);
    // A manager opens it; then the last Image goes and the controller deletes the Repository.
    cluster.update('Repository', 'acme.app', (draft) => {
      draft.spec = { ...(draft.spec as object), isPrivate: false };
    });
    await runtime.settle();
    expect(repo(cluster, 'acme.app')?.spec.isPrivate).toBe(false);
    cluster.remove('Image', 'acme.app.v1');
    await runtime.settle();
    expect(repo(cluster, 'acme.app')).toBeUndefined();
    cluster.create(imageObject('acme/app:v2'));
    await runtime.settle();
    expect(repo(cluster, 'acme.app')?.spec.isPrivate).toBe(true);
  });
});

describe('missing Organization', () => {
  it('create: created once, creator from the oldest Repository, no creator when nobody was recorded', async () => {
    const { cluster, runtime } = setup();
    cluster.create(withRequester(imageObject('acme/a:v1'), 'alice'));
    cluster.create(withRequester(imageObject('acme/b:v1'), 'bob'));
    cluster.create(imageObject('solo/x:v1'));
    await runtime.settle();
    expect(org(cluster, 'acme')?.spec).toEqual({ name: 'acme', creator: 'alice', manager: ['alice'] });
    expect(org(cluster, 'solo')?.spec).toEqual({ name: 'solo' });
    expect(
      cluster.calls.filter((c) => c.kind === 'Organization' && c.verb === 'apply' && c.name === 'acme'),
    ).toHaveLength(1);
  });

  it('create: the first pusher counts only by a Repository whose spec.name is in the organization', async () => {
    const { cluster, runtime } = setup();
    // Older, labelled acme, but a hand-made name: it is never listed in acme, so it makes no creator.
    cluster.create({
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Repository',
      metadata: {
        name: 'acme.app0',
        labels: { [LABEL_ORGANIZATION]: 'acme', [LABEL_REPOSITORY]: 'app' },
        annotations: { [ANNOTATION_REQUESTER]: 'mallory' },
      },
      spec: { name: 'acme/app' },
    });
    cluster.create({
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Repository',
      metadata: {
        name: 'acme.app',
        labels: { [LABEL_ORGANIZATION]: 'acme', [LABEL_REPOSITORY]: 'app' },
        annotations: { [ANNOTATION_REQUESTER]: 'alice' },
      },
      spec: { name: 'acme/app' },
    });
    cluster.create(withRequester(imageObject('acme/app:v1'), 'alice'));
    await runtime.settle();
    expect(org(cluster, 'acme')?.spec).toEqual({ name: 'acme', creator: 'alice', manager: ['alice'] });
  });

  it('create: not for a first pusher who may not create Organizations; a condition says why', async () => {
    const { cluster, runtime } = setup({ organizationCreation: 'group:org-creators' });
    // A ServiceAccount's groups follow from its name: not in org-creators.
    cluster.create(withRequester(imageObject('newco/app:v1'), 'system:serviceaccount:user-system:bob'));
    // A user's groups were checked when admission let the push in.
    cluster.create(withRequester(imageObject('alice-co/app:v1'), 'alice'));
    await runtime.settle();
    expect(org(cluster, 'newco')).toBeUndefined();
    expect(org(cluster, 'alice-co')?.spec.creator).toBe('alice');
    const refused = repo(cluster, 'newco.app');
    expect(ready(refused)).toMatchObject({
      status: 'False',
      reason: 'OrganizationCreationRefused',
      message:
        'Organization newco does not exist and the controller does not create it for its first pusher: user "system:serviceaccount:user-system:bob" may not create Organizations: only members of group "org-creators" may (--organization-creation group:org-creators); ask one of them or a cluster admin to create it.',
    });
    expect(cluster.events.map((e) => e.event)).toContainEqual(
      expect.objectContaining({ type: 'Warning', reason: 'OrganizationCreationRefused' }),
    );
    expect(runtime.requeues).toEqual([]);
    expect(await runtime.reconcileEverything()).toEqual([]);

    cluster.create(organizationObject('newco', 'carol'));
    await runtime.settle();
    expect(ready(repo(cluster, 'newco.app'))).toMatchObject({ status: 'True', reason: 'Synced' });
  });

  it('wait: a condition says what is missing, nothing is created, and the Organization watch resumes it', async () => {
    const { cluster, runtime } = setup({ missingOrganization: 'wait' });
    cluster.create(imageObject('acme/app:v1'));
    await runtime.settle();
    expect(org(cluster, 'acme')).toBeUndefined();
    const waiting = repo(cluster, 'acme.app');
    expect(ready(waiting)).toMatchObject({ status: 'False', reason: 'OrganizationMissing' });
    expect(waiting?.metadata.ownerReferences ?? []).toEqual([]);
    expect(runtime.requeues).toEqual([]); // a watch, not a retry loop
    expect(await runtime.reconcileEverything()).toEqual([]);

    cluster.create(organizationObject('acme', 'alice'));
    await runtime.settle();
    const resumed = repo(cluster, 'acme.app');
    expect(ready(resumed)).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(resumed?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Organization', uid: org(cluster, 'acme')?.metadata.uid }),
    ]);
    expect(org(cluster, 'acme')?.status?.repos).toEqual(['acme/app']);
  });
});

describe('Organization permissions', () => {
  const crb = (cluster: FakeCluster, name: string) =>
    cluster.getObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      name: organizationRoleName(name),
    });
  const cr = (cluster: FakeCluster, name: string) =>
    cluster.getObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      name: organizationRoleName(name),
    });

  it('removes duplicate managers keeping order, and binds real subjects', async () => {
    const { cluster, runtime } = setup();
    cluster.create(
      organizationObject('acme', 'alice', [
        'bob',
        'alice',
        'group:acme-devs',
        'bob',
        'system:serviceaccount:ci:pusher',
        'ops@example.com',
      ]),
    );
    await runtime.settle();
    expect(org(cluster, 'acme')?.spec.manager).toEqual([
      'bob',
      'alice',
      'group:acme-devs',
      'system:serviceaccount:ci:pusher',
      'ops@example.com',
    ]);
    expect(crb(cluster, 'acme')?.subjects).toEqual([
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      { kind: 'ServiceAccount', name: 'alice', namespace: 'user-system' },
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' },
      { kind: 'ServiceAccount', name: 'bob', namespace: 'user-system' },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'acme-devs' },
      { kind: 'ServiceAccount', name: 'pusher', namespace: 'ci' },
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'ops@example.com' },
    ]);
    expect(crb(cluster, 'acme')?.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: organizationRoleName('acme'),
    });
    expect(cr(cluster, 'acme')?.rules).toEqual([
      {
        apiGroups: ['imagehub.sealos.io'],
        resources: ['organizations'],
        resourceNames: ['acme'],
        verbs: ['get', 'update', 'patch', 'delete'],
      },
    ]);
    expect(await runtime.reconcileEverything()).toEqual([]);
  });

  it('follows manager changes, recreates a deleted ClusterRole and cleans up after the Organization', async () => {
    const { cluster, runtime } = setup();
    cluster.create(organizationObject('acme', 'alice'));
    await runtime.settle();
    cluster.update('Organization', 'acme', (draft) => {
      (draft.spec as { manager?: string[] }).manager = ['carol'];
    });
    await runtime.settle();
    expect(((crb(cluster, 'acme')?.subjects ?? []) as { name: string }[]).map((s) => s.name)).toEqual([
      'alice',
      'alice',
      'carol',
      'carol',
    ]);
    cluster.remove('ClusterRole', organizationRoleName('acme'));
    await runtime.settle();
    expect(cr(cluster, 'acme')).toBeDefined();
    cluster.remove('Organization', 'acme');
    await runtime.settle();
    expect(cr(cluster, 'acme')).toBeUndefined();
    expect(crb(cluster, 'acme')).toBeUndefined();
  });
});

describe('objects that cannot be catalogued', () => {
  it('an Image whose metadata.name is not the derived one is not listed, and says why', async () => {
    const { cluster, runtime } = setup();
    cluster.create(imageObject('acme/app:v1'));
    cluster.create({ ...imageObject('acme/app:v2'), metadata: { name: 'my-own-name' } });
    await runtime.settle();
    expect(tagNames(repo(cluster, 'acme.app'))).toEqual(['v1']);
    expect(ready(cluster.get('Image', 'my-own-name'))).toMatchObject({
      status: 'False',
      reason: 'NameMismatch',
    });
    expect(await runtime.reconcileEverything()).toEqual([]);
    const warnings = cluster.events.filter((e) => e.about.name === 'my-own-name');
    expect(warnings.map((e) => [e.event.type, e.event.reason])).toEqual([['Warning', 'NameMismatch']]);
  });

  it('an Organization with an invalid name gets a condition and no RBAC', async () => {
    const { cluster, runtime } = setup();
    cluster.create({ ...organizationObject('x'), metadata: { name: 'bad' }, spec: { name: 'Bad/Name' } });
    await runtime.settle();
    expect(ready(org(cluster, 'bad'))).toMatchObject({ status: 'False', reason: 'InvalidName' });
    expect(cluster.all('ClusterRole')).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inventoryName } from '../apply/inventory.ts';
import { OWNER_LABEL } from '../apply/prepare-objects.ts';
import { fakeKubePkgCluster } from '../test-support/fake-kubepkg-cluster.ts';
import type { LiveObject } from './kubepkg-client.ts';
import { reconcileKubePkg } from './reconcile-kubepkg.ts';

const now = () => new Date('2026-01-01T00:00:00Z');
const DIGEST = `sha256:${'a'.repeat(64)}`;

function kubepkg(
  version: string,
  manifests: Record<string, unknown>,
  extra: Partial<LiveObject['metadata']> = {},
) {
  return {
    apiVersion: 'octohelm.tech/v1alpha1',
    kind: 'KubePkg',
    metadata: { name: 'demo', namespace: 'default', generation: 1, ...extra },
    spec: { version, images: { 'docker.io/library/nginx:1': DIGEST }, manifests },
  } as LiveObject;
}

const cm = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

async function reconcile(cluster: ReturnType<typeof fakeKubePkgCluster>, object: LiveObject) {
  // The stored KubePkg, as the informer hands it over (status and finalizers from earlier reconciles).
  const stored = cluster.find({
    apiVersion: object.apiVersion,
    kind: 'KubePkg',
    name: 'demo',
    namespace: 'default',
  });
  const live = {
    ...object,
    metadata: {
      ...object.metadata,
      ...(stored?.metadata.finalizers ? { finalizers: stored.metadata.finalizers } : {}),
    },
    ...(stored?.status ? { status: stored.status } : {}),
  };
  cluster.put(live);
  return reconcileKubePkg(live, { client: cluster.client, now });
}

const conditionOf = (status: unknown, type: string) =>
  (
    status as { conditions: Array<{ type: string; status: string; reason: string; message: string }> }
  ).conditions.find((c) => c.type === type);

describe('reconcileKubePkg', () => {
  it('applies CRDs and namespaces first, in kind order, and records readiness, version, digest and images', async () => {
    const cluster = fakeKubePkgCluster();
    const result = await reconcile(
      cluster,
      kubepkg('1.0.0', {
        'web.deployment': {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web' },
          spec: { template: { spec: { containers: [{ name: 'web', image: 'docker.io/library/nginx:1' }] } } },
        },
        'widgets.example.com.customresourcedefinition': {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'widgets.example.com' },
        },
        'apps.namespace': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
        'one.apps.widget': {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'one', namespace: 'apps' },
        },
        'web.configmap': cm('web'),
      }),
    );
    const applies = cluster.calls.filter(
      (c) => c.startsWith('apply ') && !c.includes('KubePkg') && !c.includes('kubepkg-inventory'),
    );
    expect(applies).toEqual([
      'apply Namespace apps',
      'apply CustomResourceDefinition widgets.example.com',
      'apply ConfigMap default/web',
      'apply Widget apps/one',
      'apply Deployment default/web',
    ]);
    const status = result.status as Record<string, unknown>;
    expect(status).toMatchObject({
      observedGeneration: 1,
      appliedVersion: '1.0.0',
      images: { 'docker.io/library/nginx:1': DIGEST },
    });
    expect(status.contentDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    // The Deployment has no available replicas yet: not Ready, looked at again soon.
    expect(conditionOf(status, 'Applied')?.status).toBe('True');
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'False', reason: 'NotReady' });
    expect(conditionOf(status, 'Ready')?.message).toContain('web.deployment');
    expect(result.requeueAfterMs).toBeGreaterThan(0);
    expect(
      cluster.find({
        apiVersion: 'octohelm.tech/v1alpha1',
        kind: 'KubePkg',
        name: 'demo',
        namespace: 'default',
      })?.metadata.finalizers,
    ).toEqual(['octohelm.tech/kubepkg-cleanup']);
  });

  it('rewrites images to the agent registry, pinned by digest', async () => {
    const cluster = fakeKubePkgCluster();
    const object = kubepkg('1.0.0', {
      'web.pod': {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web' },
        spec: { containers: [{ name: 'a', image: 'docker.io/library/nginx:1' }] },
      },
    });
    cluster.put(object);
    await reconcileKubePkg(object, { client: cluster.client, now, registry: 'agent:5000' });
    const pod = cluster.find({
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'web',
      namespace: 'default',
    }) as unknown as {
      spec: { containers: Array<{ image: string }> };
    };
    expect(pod.spec.containers[0]?.image).toBe(`agent:5000/library/nginx@${DIGEST}`);
  });

  it('refuses a lower version, naming both, unless the allow-downgrade annotation says so', async () => {
    const cluster = fakeKubePkgCluster();
    await reconcile(cluster, kubepkg('2.0.0', { 'a.configmap': cm('a', { v: '2' }) }));
    const before = cluster.calls.length;
    const refused = await reconcile(
      cluster,
      kubepkg('1.0.0', { 'a.configmap': cm('a', { v: '1' }) }, { generation: 2 }),
    );
    const applied = conditionOf(refused.status, 'Applied');
    expect(applied).toMatchObject({ status: 'False', reason: 'DowngradeRefused' });
    expect(applied?.message).toContain('1.0.0');
    expect(applied?.message).toContain('2.0.0');
    expect(refused.status).toMatchObject({ appliedVersion: '2.0.0', observedGeneration: 2 });
    expect(cluster.calls.slice(before).filter((c) => c.startsWith('apply '))).toEqual([]);
    expect(
      cluster.find({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'default' })?.data,
    ).toEqual({ v: '2' });

    const allowed = await reconcile(
      cluster,
      kubepkg(
        '1.0.0',
        { 'a.configmap': cm('a', { v: '1' }) },
        { generation: 3, annotations: { 'octohelm.tech/kubepkg-allow-downgrade': 'true' } },
      ),
    );
    expect(allowed.status).toMatchObject({ appliedVersion: '1.0.0' });
    expect(
      cluster.find({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'default' })?.data,
    ).toEqual({ v: '1' });
  });

  it('refuses the applied version again with other content, and re-applies the same content', async () => {
    const cluster = fakeKubePkgCluster();
    await reconcile(cluster, kubepkg('1.0.0', { 'a.configmap': cm('a', { v: '1' }) }));
    const same = await reconcile(cluster, kubepkg('1.0.0', { 'a.configmap': cm('a', { v: '1' }) }));
    expect(conditionOf(same.status, 'Applied')?.status).toBe('True');
    const changed = await reconcile(cluster, kubepkg('1.0.0', { 'a.configmap': cm('a', { v: 'other' }) }));
    expect(conditionOf(changed.status, 'Applied')).toMatchObject({
      status: 'False',
      reason: 'ContentChanged',
    });
  });

  it('applies the rest when a namespace is missing, says so, and prunes nothing', async () => {
    const cluster = fakeKubePkgCluster();
    await reconcile(cluster, kubepkg('1.0.0', { 'old.configmap': cm('old') }));
    const result = await reconcile(
      cluster,
      kubepkg('1.1.0', {
        'a.configmap': cm('a'),
        'b.nowhere.configmap': { ...cm('b'), metadata: { name: 'b', namespace: 'nowhere' } },
      }),
    );
    expect(conditionOf(result.status, 'Applied')).toMatchObject({
      status: 'False',
      reason: 'NamespaceMissing',
    });
    expect(conditionOf(result.status, 'Applied')?.message).toContain(
      'b.nowhere.configmap: namespace nowhere does not exist',
    );
    expect(
      cluster.find({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'default' }),
    ).toBeDefined();
    expect(
      cluster.find({ apiVersion: 'v1', kind: 'ConfigMap', name: 'old', namespace: 'default' }),
    ).toBeDefined();
    expect(result.status).toMatchObject({ appliedVersion: '1.0.0' });
  });

  it("keeps the apiserver's reason and the manifest key of a refused manifest, and prunes nothing", async () => {
    const cluster = fakeKubePkgCluster();
    await reconcile(cluster, kubepkg('1.0.0', { 'old.configmap': cm('old'), 'a.configmap': cm('a') }));
    cluster.refuse = (o) => (o.metadata.name === 'bad' ? 'spec.replicas: Invalid value: -1' : undefined);
    const result = await reconcile(
      cluster,
      kubepkg('2.0.0', { 'a.configmap': cm('a'), 'bad.configmap': cm('bad') }),
    );
    expect(conditionOf(result.status, 'Applied')).toMatchObject({
      status: 'False',
      reason: 'ApplyFailed',
      message: 'bad.configmap: spec.replicas: Invalid value: -1',
    });
    expect(
      cluster.find({ apiVersion: 'v1', kind: 'ConfigMap', name: 'old', namespace: 'default' }),
    ).toBeDefined();
    // Once it applies, the old one goes: the record kept it.
    delete cluster.refuse;
    const fixed = await reconcile(
      cluster,
      kubepkg('2.0.0', { 'a.configmap': cm('a'), 'bad.configmap': cm('bad') }),
    );
    expect(conditionOf(fixed.status, 'Applied')?.status).toBe('True');
    expect(
      cluster.find({ apiVersion: 'v1', kind: 'ConfigMap', name: 'old', namespace: 'default' }),
    ).toBeUndefined();
  });

  it('writes InvalidSpec with the field path for a spec the schema refuses', async () => {
    const cluster = fakeKubePkgCluster();
    const result = await reconcile(cluster, {
      ...kubepkg('1.0.0', {}),
      spec: { version: 'one' },
    } as LiveObject);
    expect(conditionOf(result.status, 'Ready')).toMatchObject({ reason: 'InvalidSpec' });
    expect(conditionOf(result.status, 'Ready')?.message).toMatch(/^spec\.version: /);
  });

  it('refuses what admission refuses (a key naming another object) and puts no finalizer on it', async () => {
    const cluster = fakeKubePkgCluster();
    const result = await reconcile(cluster, kubepkg('1.0.0', { 'other.configmap': cm('a') }));
    expect(conditionOf(result.status, 'Applied')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(conditionOf(result.status, 'Applied')?.message).toContain('spec.manifests["other.configmap"]');
    expect(cluster.calls.filter((c) => c.startsWith('apply '))).toEqual([]);
    const stored = cluster.find({
      apiVersion: 'octohelm.tech/v1alpha1',
      kind: 'KubePkg',
      name: 'demo',
      namespace: 'default',
    });
    expect(stored?.metadata.finalizers).toBeUndefined();
  });

  it('on deletion removes what it applied but CRDs, Namespaces and PVCs, then releases the finalizer', async () => {
    for (const deleteRetained of [false, true]) {
      const cluster = fakeKubePkgCluster();
      const manifests = {
        'a.configmap': cm('a'),
        'apps.namespace': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
        'data.persistentvolumeclaim': {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data' },
        },
        'w.example.com.customresourcedefinition': {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'w.example.com' },
        },
      };
      const annotations = deleteRetained ? { 'octohelm.tech/kubepkg-delete-retained': 'true' } : {};
      await reconcile(cluster, kubepkg('1.0.0', manifests, { annotations }));
      await reconcile(
        cluster,
        kubepkg('1.0.0', manifests, { annotations, deletionTimestamp: '2026-01-01T00:00:00Z' }),
      );
      const left = [...cluster.objects.values()].map((o) => `${o.kind}/${o.metadata.name}`).sort();
      expect(left).toEqual(
        deleteRetained
          ? []
          : ['CustomResourceDefinition/w.example.com', 'Namespace/apps', 'PersistentVolumeClaim/data'],
      );
    }
  });
});

describe('prune exactness', () => {
  const kinds = [
    { apiVersion: 'v1', kind: 'ConfigMap' },
    { apiVersion: 'v1', kind: 'Secret' },
    { apiVersion: 'v1', kind: 'Service' },
    { apiVersion: 'apps/v1', kind: 'Deployment' },
  ];
  const manifest = fc.record({
    kind: fc.constantFrom(...kinds),
    name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  });
  const manifestSet = fc.uniqueArray(manifest, { selector: (m) => `${m.kind.kind}/${m.name}`, maxLength: 8 });
  const toManifests = (set: Array<{ kind: { apiVersion: string; kind: string }; name: string }>) =>
    Object.fromEntries(
      set.map((m) => [`${m.name}.${m.kind.kind.toLowerCase()}`, { ...m.kind, metadata: { name: m.name } }]),
    );

  it('after v1 then v2, the cluster holds exactly v2 plus objects the inventory never listed', async () => {
    await fc.assert(
      fc.asyncProperty(manifestSet, manifestSet, fc.boolean(), async (v1, v2, foreignLabelled) => {
        const cluster = fakeKubePkgCluster();
        // Not in the record: never pruned, even carrying the package's owner label.
        cluster.put({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'foreign',
            namespace: 'default',
            ...(foreignLabelled ? { labels: { [OWNER_LABEL]: 'demo' } } : {}),
          },
        });
        await reconcile(cluster, kubepkg('1.0.0', toManifests(v1)));
        await reconcile(cluster, kubepkg('2.0.0', toManifests(v2)));
        const left = [...cluster.objects.values()]
          .filter((o) => o.kind !== 'KubePkg' && o.metadata.name !== inventoryName('demo'))
          .map((o) => `${o.kind}/${o.metadata.name}`)
          .sort();
        const expected = [...v2.map((m) => `${m.kind.kind}/${m.name}`), 'ConfigMap/foreign'].sort();
        expect(left).toEqual([...new Set(expected)].sort());
        const deleted = cluster.calls
          .filter((c) => c.startsWith('delete '))
          .map((c) => c.replace(/^delete (\S+) default\//, '$1/'))
          .sort();
        const dropped = v1.filter((m) => !v2.some((n) => n.kind.kind === m.kind.kind && n.name === m.name));
        expect(deleted).toEqual(dropped.map((m) => `${m.kind.kind}/${m.name}`).sort());
      }),
      { numRuns: 200 },
    );
  });
});

import { collectImages, kubePkgFromManifests, manifestKey, parseManifests } from '@hub/kubepkg';
import { describe, expect, it } from 'vitest';

const YAML = `
apiVersion: v1
kind: Namespace
metadata: { name: demo }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: demo }
spec:
  template:
    spec:
      initContainers: [{ name: init, image: busybox:1.36 }]
      containers: [{ name: web, image: nginx:alpine }, { name: side, image: nginx:alpine }]
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly, namespace: demo }
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{ name: job, image: ghcr.io/acme/cron@sha256:${'b'.repeat(64)} }]
---
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: Job
    metadata: { name: migrate, namespace: demo }
    spec: { template: { spec: { initContainers: [{ name: wait, image: alpine:3 }], containers: [{ name: m, image: acme/migrate:2 }] } } }
  - apiVersion: v1
    kind: Pod
    metadata: { name: debug, namespace: demo }
    spec: { containers: [{ name: d, image: registry.local:5000/tools/debug:1 }] }
---
# empty document
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: demo }
spec: { template: { spec: { containers: [{ name: db, image: postgres:17 }] } } }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: demo }
spec: { template: { spec: { containers: [{ name: a, image: acme/agent:1 }] } } }
`;

describe('collectImages', () => {
  const manifests = parseManifests(YAML, 'demo.yaml');

  it('flattens lists and skips empty documents', () => {
    expect(manifests.map((m) => m.kind)).toEqual([
      'Namespace',
      'Deployment',
      'CronJob',
      'Job',
      'Pod',
      'StatefulSet',
      'DaemonSet',
    ]);
  });

  it('finds images in containers and initContainers of every pod template, once each', () => {
    expect(collectImages(manifests)).toEqual([
      'acme/agent:1',
      'acme/migrate:2',
      'alpine:3',
      'busybox:1.36',
      `ghcr.io/acme/cron@sha256:${'b'.repeat(64)}`,
      'nginx:alpine',
      'postgres:17',
      'registry.local:5000/tools/debug:1',
    ]);
  });

  it('builds a KubePkg keyed <name>.<namespace>.<kind>', () => {
    const pkg = kubePkgFromManifests(manifests, { name: 'demo', version: '1.0.0' });
    expect(Object.keys(pkg.spec.manifests)).toEqual([
      'agent.demo.daemonset',
      'db.demo.statefulset',
      'debug.demo.pod',
      'demo.namespace',
      'migrate.demo.job',
      'nightly.demo.cronjob',
      'web.demo.deployment',
    ]);
    expect(pkg.spec.images['nginx:alpine']).toBe('');
  });

  it('rejects duplicate keys and non-objects with the source named', () => {
    const web = manifests[1];
    if (!web) throw new Error('fixture');
    expect(() => kubePkgFromManifests([web, web], { name: 'x', version: '1.0.0' })).toThrow(
      /web\.demo\.deployment/,
    );
    expect(() => parseManifests('kind: Foo\n', 'bad.yaml')).toThrow(/bad\.yaml#1.*apiVersion/);
    expect(() => parseManifests('a: [\n', 'broken.yaml')).toThrow(/broken\.yaml/);
  });

  it('manifestKey lower-cases the kind', () => {
    expect(
      manifestKey({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } }),
    ).toBe('c.ns.configmap');
  });
});

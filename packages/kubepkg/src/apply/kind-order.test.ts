import { describe, expect, it } from 'vitest';
import { sortForApply } from './kind-order.ts';
import { rewriteImages } from './rewrite-images.ts';

describe('sortForApply', () => {
  it('orders namespaces, CRDs, config/RBAC/services, custom resources, then workloads', () => {
    const kinds = [
      'Deployment',
      'Widget',
      'Service',
      'CustomResourceDefinition',
      'ConfigMap',
      'Namespace',
      'CronJob',
      'Role',
    ];
    const sorted = sortForApply(kinds.map((kind) => ({ kind, metadata: { name: 'x' } }))).map((o) => o.kind);
    expect(sorted).toEqual([
      'Namespace',
      'CustomResourceDefinition',
      'ConfigMap',
      'Role',
      'Service',
      'Widget',
      'CronJob',
      'Deployment',
    ]);
  });
});

describe('rewriteImages', () => {
  it('points containers and init containers at the in-cluster registry, pinned by digest when known', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const job = {
      kind: 'CronJob',
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: { initContainers: [{ image: 'busybox:1' }], containers: [{ image: 'ghcr.io/a/b:2' }] },
            },
          },
        },
      },
    };
    rewriteImages(job, 'pocket:5000', { 'ghcr.io/a/b:2': digest });
    const spec = job.spec.jobTemplate.spec.template.spec;
    expect(spec.initContainers[0]?.image).toBe('pocket:5000/library/busybox:1');
    expect(spec.containers[0]?.image).toBe(`pocket:5000/a/b@${digest}`);
  });
});

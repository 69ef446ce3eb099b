import { describe, expect, it } from 'vitest';
import { FakeCluster } from '../test-support/fake-cluster.ts';
import { cacheCatalogue } from './cache-catalogue.ts';

describe('cacheCatalogue', () => {
  it('finds an Organization only under its derived name and only when spec.name confirms it', () => {
    const cluster = new FakeCluster();
    // Squatting acme's metadata.name with another spec.name must not lend acme its defaultPrivate.
    cluster.create({
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Organization',
      metadata: { name: 'acme' },
      spec: { name: 'other', defaultPrivate: false },
    });
    cluster.create({
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Organization',
      metadata: { name: 'labring' },
      spec: { name: 'labring' },
    });
    const catalogue = cacheCatalogue(cluster);
    expect(catalogue.organization('acme')).toBeUndefined();
    expect(catalogue.organization('other')).toBeUndefined();
    expect(catalogue.organization('labring')?.spec.name).toBe('labring');
  });
});

import { describe, expect, it } from 'vitest';
import { image, organization, repository, sampleCatalogue, tag } from '../__fixtures__/objects.ts';
import { createCatalogueStore } from '../index.ts';

describe('createCatalogueStore', () => {
  it('looks objects up by spec.name and lists by organization', () => {
    const store = sampleCatalogue();
    expect(store.image('labring/mysql:v5.7')?.metadata.name).toBe('labring.mysql.v5.7');
    expect(store.repository('labring/mysql')?.spec.name).toBe('labring/mysql');
    expect(store.organization('acme')?.spec.manager).toEqual(['carol']);
    expect(store.repositories({ organization: 'labring' }).map((r) => r.spec.name)).toEqual([
      'labring/mysql',
      'labring/redis',
    ]);
    expect(
      store
        .images('labring/mysql')
        .map((i) => i.spec.name)
        .sort(),
    ).toEqual(['labring/mysql:v5.7', 'labring/mysql:v8.0.25', 'labring/mysql:v8.0.31']);
  });

  it('indexes keywords from labels and the latest image, case-insensitively', () => {
    const store = sampleCatalogue();
    expect(store.keywords('labring/redis')).toEqual(['Database', 'cache']);
    expect(store.repositories({ keyword: 'database' }).map((r) => r.spec.name)).toEqual([
      'labring/mysql',
      'labring/redis',
    ]);
    expect(store.repositories({ keyword: 'CACHE' }).map((r) => r.spec.name)).toEqual(['labring/redis']);
    expect(store.repositories({ keyword: 'Database', organization: 'acme' })).toEqual([]);
  });

  it('updates indexes on change and removal, bumping the revision', () => {
    const store = createCatalogueStore();
    const seen: string[] = [];
    store.subscribe((c) => seen.push(`${c.type}:${c.object.kind}`));
    store.upsert(organization('o'));
    store.upsert(repository('o/r', [tag('1', '2024-01-01T00:00:00Z')]));
    store.upsert(image('o/r:1', { keywords: ['GPU'] }));
    expect(store.repositories({ keyword: 'gpu' })).toHaveLength(1);
    const before = store.revision;
    store.upsert(image('o/r:1', { keywords: ['Logging'] }));
    expect(store.revision).toBe(before + 1);
    expect(store.repositories({ keyword: 'gpu' })).toHaveLength(0);
    expect(store.repositories({ keyword: 'logging' })).toHaveLength(1);
    store.remove(image('o/r:1'));
    expect(store.image('o/r:1')).toBeUndefined();
    expect(store.images('o/r')).toEqual([]);
    store.remove(repository('o/r'));
    expect(store.repositories({ organization: 'o' })).toEqual([]);
    expect(seen).toEqual([
      'upsert:Organization',
      'upsert:Repository',
      'upsert:Image',
      'upsert:Image',
      'remove:Image',
      'remove:Repository',
    ]);
    expect(store.size()).toEqual({ images: 0, repositories: 0, organizations: 1 });
  });

  it('answers deterministically when two Images claim one spec.name', () => {
    const store = createCatalogueStore();
    const a = image('o/r:1', { description: 'b-copy' });
    a.metadata.name = 'zz-copy';
    const b = image('o/r:1', { description: 'canonical' });
    store.upsert(a);
    store.upsert(b);
    expect(store.image('o/r:1')?.spec.detail.description).toBe('canonical');
    store.remove(b);
    expect(store.image('o/r:1')?.spec.detail.description).toBe('b-copy');
  });

  it('replaceAll drops objects missing from a relist', () => {
    const store = sampleCatalogue();
    store.replaceAll('Repository', [repository('labring/mysql')]);
    expect(store.repositories().map((r) => r.spec.name)).toEqual(['labring/mysql']);
    expect(store.size().images).toBe(6);
  });
});

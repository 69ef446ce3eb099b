import { describe, expect, it } from 'vitest';
import { image, repository, sampleCatalogue, tag } from '../__fixtures__/objects.ts';
import { createCatalogueStore, isDataPackError, searchRepositories } from '../index.ts';

const names = (page: { items: { name: string }[] }) => page.items.map((i) => i.name);

describe('searchRepositories', () => {
  const catalogue = sampleCatalogue();

  it('lists public repositories by name with the latest tag; private ones need access', () => {
    const page = searchRepositories(catalogue);
    expect(names(page)).toEqual(['acme/empty', 'labring/mysql', 'labring/redis', 'library/nginx']);
    expect(page.total).toBe(4);
    expect(page.nextCursor).toBeNull();
    const mysql = page.items[1];
    expect(mysql).toEqual({
      name: 'labring/mysql',
      organization: 'labring',
      latestTag: {
        name: 'v8.0.31',
        creatTime: '2024-03-01T00:00:00Z',
        size: 500_000_000,
        metaName: 'labring.mysql.v8.0.31',
      },
      tagCount: 3,
      icon: 'https://example.invalid/mysql.svg',
      description: 'MySQL v8.0.31',
      keywords: ['Database'],
      isPrivate: false,
      downloadCount: 42,
      updated: '2024-03-01T00:00:00Z',
    });
    expect(page.items[0]?.latestTag).toBeNull();
    const withPrivate = searchRepositories(catalogue, {}, { access: (r) => r.organization === 'acme' });
    expect(names(withPrivate)).toContain('acme/cache');
    expect(withPrivate.items.find((i) => i.name === 'acme/cache')?.isPrivate).toBe(true);
    expect(names(searchRepositories(catalogue, {}, { access: () => false }))).not.toContain('acme/cache');
  });

  it('uses status.latestTag, not the first of status.tags', () => {
    const store = createCatalogueStore();
    const repo = repository('o/r', [tag('old', '2020-01-01T00:00:00Z'), tag('new', '2024-01-01T00:00:00Z')]);
    store.upsert(repo);
    expect(searchRepositories(store).items[0]?.latestTag?.name).toBe('new');
    store.upsert({ ...repo, status: { ...repo.status, latestTag: tag('old', '2020-01-01T00:00:00Z') } });
    expect(searchRepositories(store).items[0]?.latestTag?.name).toBe('old');
  });

  it('matches a case-insensitive substring of org/repo', () => {
    expect(names(searchRepositories(catalogue, { q: 'SQL' }))).toEqual(['labring/mysql']);
    expect(names(searchRepositories(catalogue, { q: 'labring/' }))).toEqual([
      'labring/mysql',
      'labring/redis',
    ]);
    expect(searchRepositories(catalogue, { q: 'zzz' })).toEqual({
      items: [],
      total: 0,
      nextCursor: null,
      prevCursor: null,
      offset: 0,
    });
  });

  it('ANDs keywords and filters by organization', () => {
    expect(names(searchRepositories(catalogue, { keywords: ['Database'] }))).toEqual([
      'labring/mysql',
      'labring/redis',
    ]);
    expect(names(searchRepositories(catalogue, { keywords: ['database', 'cache'] }))).toEqual([
      'labring/redis',
    ]);
    expect(names(searchRepositories(catalogue, { keywords: ['Database', 'Network'] }))).toEqual([]);
    expect(names(searchRepositories(catalogue, { organization: 'library' }))).toEqual(['library/nginx']);
    expect(names(searchRepositories(catalogue, { organization: 'acme', keywords: ['Storage'] }))).toEqual([]);
  });

  it('sorts by last update, newest first', () => {
    expect(names(searchRepositories(catalogue, { sort: 'updated' }))).toEqual([
      'labring/mysql',
      'labring/redis',
      'acme/empty',
      'library/nginx',
    ]);
  });

  it('pages with a keyset cursor that neither skips nor repeats when items are added', () => {
    const store = createCatalogueStore();
    for (let i = 0; i < 10; i++) {
      const name = `o/r${String(i).padStart(2, '0')}`;
      store.upsert(repository(name));
      store.upsert(image(`${name}:1`));
    }
    const first = searchRepositories(store, { limit: 4 });
    expect(names(first)).toEqual(['o/r00', 'o/r01', 'o/r02', 'o/r03']);
    expect(first.total).toBe(10);
    store.upsert(repository('o/r00a')); // sorts before the cursor: must not appear on page 2
    const second = searchRepositories(store, { limit: 4, cursor: first.nextCursor ?? '' });
    expect(names(second)).toEqual(['o/r04', 'o/r05', 'o/r06', 'o/r07']);
    const third = searchRepositories(store, { limit: 4, cursor: second.nextCursor ?? '' });
    expect(names(third)).toEqual(['o/r08', 'o/r09']);
    expect(third.nextCursor).toBeNull();
    expect(third.total).toBe(11);
  });

  it('pages sort=updated too', () => {
    const store = createCatalogueStore();
    for (let i = 0; i < 5; i++) {
      store.upsert(repository(`o/r${i}`, [tag('1', `2024-01-0${i + 1}T00:00:00Z`)]));
    }
    const first = searchRepositories(store, { sort: 'updated', limit: 3 });
    expect(names(first)).toEqual(['o/r4', 'o/r3', 'o/r2']);
    const second = searchRepositories(store, { sort: 'updated', limit: 3, cursor: first.nextCursor ?? '' });
    expect(names(second)).toEqual(['o/r1', 'o/r0']);
  });

  it('rejects bad limits, sorts and cursors naming the field', () => {
    const fieldOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        if (isDataPackError(error)) return `${error.code}:${error.field}`;
      }
      return undefined;
    };
    expect(fieldOf(() => searchRepositories(catalogue, { limit: 0 }))).toBe('INVALID_REQUEST:limit');
    expect(fieldOf(() => searchRepositories(catalogue, { limit: 101 }))).toBe('INVALID_REQUEST:limit');
    expect(fieldOf(() => searchRepositories(catalogue, { cursor: 'garbage' }))).toBe('INVALID_CURSOR:cursor');
    const cursor = searchRepositories(catalogue, { limit: 1 }).nextCursor ?? '';
    expect(fieldOf(() => searchRepositories(catalogue, { sort: 'updated', cursor }))).toBe(
      'INVALID_CURSOR:cursor',
    );
  });
});

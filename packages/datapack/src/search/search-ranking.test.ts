import { describe, expect, it } from 'vitest';
import { image, repository, tag } from '../__fixtures__/objects.ts';
import { createCatalogueStore, isDataPackError, searchRepositories } from '../index.ts';

const names = (page: { items: { name: string }[] }) => page.items.map((i) => i.name);

// Four repositories that mention "cache" in different places, and a fifth that does not.
function store() {
  const s = createCatalogueStore();
  const add = (
    name: string,
    detail: { description?: string; keywords?: string[]; docs?: string },
    downloads = 0,
  ) => {
    s.upsert(
      repository(name, [tag('v1', '2024-01-01T00:00:00Z', 1, `${name.replace('/', '.')}.v1`)], {
        downloadCount: downloads,
      }),
    );
    s.upsert(image(`${name}:v1`, { creatTime: '2024-01-01T00:00:00Z', ...detail }));
  };
  add('a/readme-only', { docs: '# Tool\n\nUse it as a CACHE in front of things.' }, 5);
  add('b/described', { description: 'A distributed cache' }, 50);
  add('c/keyworded', { keywords: ['Cache'] }, 1);
  add('z/cache', { description: 'named so' }, 0);
  add('d/unrelated', { description: 'nothing here' }, 99);
  return s;
}

describe('searchRepositories ranking, sorts and paging', () => {
  it('matches names, keywords, descriptions and READMEs, ranked with name matches first', () => {
    const page = searchRepositories(store(), { q: 'cache' });
    expect(names(page)).toEqual(['z/cache', 'c/keyworded', 'b/described', 'a/readme-only']);
    expect(page.total).toBe(4);
    // Another sort keeps the same matches.
    expect(names(searchRepositories(store(), { q: 'cache', sort: 'name' }))).toEqual([
      'a/readme-only',
      'b/described',
      'c/keyworded',
      'z/cache',
    ]);
  });

  it('sorts by downloads, most first, and rejects unknown sorts naming the field', () => {
    expect(names(searchRepositories(store(), { sort: 'downloads' }))).toEqual([
      'd/unrelated',
      'b/described',
      'a/readme-only',
      'c/keyworded',
      'z/cache',
    ]);
    let error: unknown;
    try {
      searchRepositories(store(), { sort: 'stars' as 'name' });
    } catch (caught) {
      error = caught;
    }
    expect(isDataPackError(error) && error.field).toBe('sort');
  });

  it('pages both ways over 100 repositories with nextCursor and prevCursor, with offsets', () => {
    const s = createCatalogueStore();
    const all: string[] = [];
    for (let i = 0; i < 100; i++) {
      const name = `org/repo-${String(i).padStart(3, '0')}`;
      all.push(name);
      s.upsert(repository(name));
    }
    const pages: string[][] = [];
    let page = searchRepositories(s, { limit: 30 });
    pages.push(names(page));
    expect(page.prevCursor).toBeNull();
    while (page.nextCursor !== null) {
      page = searchRepositories(s, { limit: 30, cursor: page.nextCursor });
      pages.push(names(page));
    }
    expect(pages.flat()).toEqual(all);
    expect(page.offset).toBe(90);
    // Back from the last page to the first: the same pages, in reverse.
    const back: string[][] = [names(page)];
    while (page.prevCursor !== null) {
      page = searchRepositories(s, { limit: 30, cursor: page.prevCursor });
      back.unshift(names(page));
    }
    expect(back).toEqual(pages);
    expect(page.offset).toBe(0);
    expect(page.nextCursor).not.toBeNull();
  });
});

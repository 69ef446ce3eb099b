import { describe, expect, it } from 'vitest';
import { organization, repository, sampleCatalogue } from '../__fixtures__/objects.ts';
import { type CatalogueReader, createCatalogueStore, repositoryVisibility } from '../index.ts';

describe('repositoryVisibility', () => {
  it('shows public repositories to everyone and private ones only through access', () => {
    const catalogue = sampleCatalogue();
    const anonymous = repositoryVisibility(catalogue);
    expect(anonymous('labring/mysql')).toBe(true);
    expect(anonymous('acme/cache')).toBe(false);
    const asked: unknown[] = [];
    const carol = repositoryVisibility(catalogue, (repo) => {
      asked.push(repo);
      return repo.organization === 'acme';
    });
    expect(carol('acme/cache')).toBe(true);
    expect(carol('labring/mysql')).toBe(true);
    // access is asked about private repositories only, with the name split as the handler does.
    expect(asked).toEqual([{ name: 'acme/cache', organization: 'acme' }]);
  });

  it('takes the Organization default for a repository with no Repository object (private when unset)', () => {
    const store = createCatalogueStore();
    const visible = repositoryVisibility(store);
    expect(visible('o/new')).toBe(false); // no Organization either
    store.upsert(organization('o'));
    expect(visible('o/new')).toBe(false);
    store.upsert(organization('o', [], 'admin', { defaultPrivate: false }));
    expect(visible('o/new')).toBe(true);
    store.upsert(repository('o/new', [], { isPrivate: true }));
    expect(visible('o/new')).toBe(false);
  });

  it('ignores objects filed under another spec.name, and refuses names that are not org/repo', () => {
    const open = organization('other', [], 'mallory', { defaultPrivate: false });
    const squatted: CatalogueReader = {
      ...sampleCatalogue(),
      repository: () => repository('other/app'),
      organization: () => open,
    };
    expect(repositoryVisibility(squatted)('acme/app')).toBe(false);
    const catalogue = sampleCatalogue();
    for (const name of ['', 'labring', '/mysql', 'labring/']) {
      expect(repositoryVisibility(catalogue, () => true)(name)).toBe(false);
    }
  });
});

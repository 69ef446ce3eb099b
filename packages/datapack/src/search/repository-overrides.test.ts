import { describe, expect, it } from 'vitest';
import { sampleCatalogue } from '../__fixtures__/objects.ts';
import { computeDataPack, repositoryDetail, searchRepositories } from '../index.ts';

// Edits made in the hub live on the Repository spec, where hub-index never writes.
function edited() {
  const store = sampleCatalogue();
  const repo = store.repository('labring/mysql');
  if (repo === undefined) throw new Error('fixture');
  store.upsert({
    ...repo,
    spec: {
      ...repo.spec,
      description: 'Edited description',
      keywords: ['Storage'],
      docs: '# Edited README',
      icon: 'data:image/png;base64,AAAA',
    },
  });
  return store;
}

describe('Repository spec overrides', () => {
  it('win over the latest Image in items, detail and keyword search', () => {
    const store = edited();
    const repo = store.repository('labring/mysql');
    if (repo === undefined) throw new Error('fixture');
    expect(repositoryDetail(repo, store)).toMatchObject({
      description: 'Edited description',
      keywords: ['Storage'],
      docs: '# Edited README',
      icon: 'data:image/png;base64,AAAA',
    });
    expect(searchRepositories(store, { keywords: ['Storage'] }).items.map((i) => i.name)).toContain(
      'labring/mysql',
    );
    expect(searchRepositories(store, { keywords: ['Database'] }).items.map((i) => i.name)).not.toContain(
      'labring/mysql',
    );
  });

  it('apply to every tag of the repository in DataPacks', () => {
    const pack = computeDataPack({ type: 'detail', names: ['labring/mysql:v5.7'] }, edited());
    expect(pack.datas['labring/mysql:v5.7']).toMatchObject({
      description: 'Edited description',
      keywords: ['Storage'],
      docs: '# Edited README',
      icon: 'data:image/png;base64,AAAA',
    });
  });
});

import { DATA_PACK_CODES } from '@hub/api-types';
import { describe, expect, it } from 'vitest';
import { image, organization, repository, sampleCatalogue } from '../__fixtures__/objects.ts';
import { computeDataPack, createCatalogueStore } from '../index.ts';

describe('computeDataPack', () => {
  const catalogue = sampleCatalogue();

  it('base holds name and type only', () => {
    const result = computeDataPack({ type: 'base', names: ['labring/mysql:v8.0.25'] }, catalogue);
    expect(result).toEqual({
      codes: DATA_PACK_CODES.OK,
      datas: { 'labring/mysql:v8.0.25': { name: 'labring/mysql:v8.0.25', type: 'cluster-image' } },
    });
  });

  it('grid fills repoName org/repo and keeps downloadCount (both lost by the original)', () => {
    const { codes, datas } = computeDataPack({ type: 'grid', names: ['labring/mysql:v8.0.31'] }, catalogue);
    expect(codes).toBe(DATA_PACK_CODES.OK);
    expect(datas['labring/mysql:v8.0.31']).toEqual({
      name: 'labring/mysql:v8.0.31',
      type: 'cluster-image',
      repoName: 'labring/mysql',
      icon: 'https://example.invalid/mysql.svg',
      keywords: ['Database'],
      size: 500_000_000,
      description: 'MySQL v8.0.31',
      downloadCount: 42,
    });
    expect(datas['labring/mysql:v8.0.31']).not.toHaveProperty('docs');
    expect(datas['labring/mysql:v8.0.31']).not.toHaveProperty('tags');
  });

  it('detail adds ID, arch, docs, URL and the tags newest first', () => {
    const { datas } = computeDataPack({ type: 'detail', names: ['labring/mysql:v5.7'] }, catalogue);
    const data = datas['labring/mysql:v5.7'];
    expect(data).toMatchObject({
      name: 'labring/mysql:v5.7',
      repoName: 'labring/mysql',
      downloadCount: 42,
      ID: 'sha256:v5.7',
      arch: 'amd64',
      docs: '# MySQL v5.7\n\nThe database.',
      URL: 'https://cloud.example.invalid/mysql',
      description: 'MySQL v5.7',
    });
    expect(data?.tags?.map((t) => t.name)).toEqual(['v8.0.31', 'v8.0.25', 'v5.7']);
  });

  it('breaks creatTime ties by tag name, the same way every time', () => {
    const store = createCatalogueStore();
    store.upsert(repository('o/r'));
    for (const t of ['b', 'v9', 'c', 'v10', 'a']) store.upsert(image(`o/r:${t}`));
    const { datas } = computeDataPack({ type: 'detail', names: ['o/r:a'] }, store);
    expect(datas['o/r:a']?.tags?.map((t) => t.name)).toEqual(['v10', 'v9', 'c', 'b', 'a']);
  });

  it('derives tags from Images when the repository has no status yet', () => {
    const store = createCatalogueStore();
    // No Repository object yet: visible only because the Organization makes new repositories public.
    store.upsert(organization('o', [], 'admin', { defaultPrivate: false }));
    store.upsert(image('o/r:old', { creatTime: '2020-01-01T00:00:00Z', size: 3 }));
    store.upsert(image('o/r:new', { creatTime: '2021-01-01T00:00:00Z', size: 4 }));
    const { codes, datas } = computeDataPack({ type: 'detail', names: ['o/r:old'] }, store);
    expect(codes).toBe(DATA_PACK_CODES.OK);
    expect(datas['o/r:old']?.tags).toEqual([
      { name: 'new', metaName: 'o.r.new', creatTime: '2021-01-01T00:00:00Z', size: 4 },
      { name: 'old', metaName: 'o.r.old', creatTime: '2020-01-01T00:00:00Z', size: 3 },
    ]);
    expect(datas['o/r:old']?.downloadCount).toBe(0);
  });

  it('is ERROR naming every missing name, keeping those that resolved', () => {
    const result = computeDataPack(
      { type: 'grid', names: ['labring/mysql:v8.0.31', 'labring/mysql:v9', 'nobody/none:1'] },
      catalogue,
    );
    expect(result.codes).toBe(DATA_PACK_CODES.ERROR);
    expect(Object.keys(result.datas)).toEqual(['labring/mysql:v8.0.31']);
    expect(result.message).toBe('images not found: "labring/mysql:v9", "nobody/none:1".');
  });

  it('reports invalid names (a/:b crashed the original) without throwing', () => {
    const result = computeDataPack({ type: 'base', names: ['a/:b', '/x:y', 'labring/redis:7.2'] }, catalogue);
    expect(result.codes).toBe(DATA_PACK_CODES.ERROR);
    expect(result.message).toBe('not imagehub names (org/repo:tag): "a/:b", "/x:y".');
    expect(Object.keys(result.datas)).toEqual(['labring/redis:7.2']);
  });

  it('rejects an unknown type as ERROR with a message', () => {
    const result = computeDataPack({ type: 'full', names: ['labring/redis:7.2'] }, catalogue);
    expect(result).toEqual({
      codes: DATA_PACK_CODES.ERROR,
      datas: {},
      message: 'spec.type "full" is not a DataPack type: use base, grid or detail.',
    });
  });

  it('defaults to base and gathers duplicates once', () => {
    const result = computeDataPack({ names: ['labring/redis:7.2', 'labring/redis:7.2'] }, catalogue);
    expect(result).toEqual({
      codes: DATA_PACK_CODES.OK,
      datas: { 'labring/redis:7.2': { name: 'labring/redis:7.2', type: 'cluster-image' } },
    });
  });

  it('answers a private name exactly as one that does not exist, unless access admits it', () => {
    const names = ['acme/cache:v1', 'acme/none:1'];
    const hidden = computeDataPack({ type: 'grid', names }, catalogue);
    expect(hidden).toEqual({
      codes: DATA_PACK_CODES.ERROR,
      datas: {},
      message: 'images not found: "acme/cache:v1", "acme/none:1".',
    });
    expect(computeDataPack({ type: 'grid', names }, catalogue, { access: () => false })).toEqual(hidden);
    const asked: unknown[] = [];
    const admitted = computeDataPack({ type: 'grid', names }, catalogue, {
      access: (repository) => {
        asked.push(repository);
        return repository.organization === 'acme';
      },
    });
    expect(Object.keys(admitted.datas)).toEqual(['acme/cache:v1']);
    expect(admitted.message).toBe('image not found: "acme/none:1".');
    expect(asked).toContainEqual({ name: 'acme/cache', organization: 'acme' });
  });

  it('keeps Images with no Repository object private unless their Organization defaults to public', () => {
    const names = ['o/r:1'];
    const store = createCatalogueStore();
    store.upsert(image('o/r:1'));
    expect(computeDataPack({ names }, store).codes).toBe(DATA_PACK_CODES.ERROR); // no Organization
    store.upsert(organization('o'));
    expect(computeDataPack({ names }, store)).toMatchObject({
      datas: {},
      message: 'image not found: "o/r:1".',
    });
    expect(computeDataPack({ names }, store, { access: () => true }).codes).toBe(DATA_PACK_CODES.OK);
    store.upsert(organization('o', [], 'admin', { defaultPrivate: false }));
    expect(computeDataPack({ names }, store).codes).toBe(DATA_PACK_CODES.OK);
    // Once the Repository exists, it decides: here private, whatever the Organization's default.
    store.upsert(repository('o/r', [], { isPrivate: true }));
    expect(computeDataPack({ names }, store).codes).toBe(DATA_PACK_CODES.ERROR);
    store.upsert(organization('o', [], 'admin', { defaultPrivate: true }));
    store.upsert(repository('o/r', [], { isPrivate: false }));
    expect(computeDataPack({ names }, store).codes).toBe(DATA_PACK_CODES.OK);
  });
});

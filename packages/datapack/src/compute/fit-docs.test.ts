import { DataPackDataSchema, README_MAX_BYTES } from '@hub/api-types';
import { describe, expect, it } from 'vitest';
import { image, repository } from '../__fixtures__/objects.ts';
import { computeDataPack, createCatalogueStore, DATA_PACK_DOCS_BUDGET_BYTES } from '../index.ts';

const bytes = (text: string | undefined) => Buffer.byteLength(text ?? '');

function catalogueOf(docs: Record<string, string>) {
  const store = createCatalogueStore();
  for (const [name, text] of Object.entries(docs)) {
    store.upsert(image(name, { docs: text }));
    store.upsert(repository(name.split(':')[0] ?? ''));
  }
  return store;
}

describe('DataPack README budget', () => {
  it('keeps a 1,000-name detail pack of the largest READMEs within the budget, each entry marked', () => {
    const readme = 'x'.repeat(README_MAX_BYTES);
    const names = Array.from({ length: 1000 }, (_, i) => `org${i % 10}/repo${i}:v1`);
    const store = catalogueOf(Object.fromEntries(names.map((n) => [n, readme])));
    const pack = computeDataPack({ type: 'detail', names }, store);
    const entries = Object.values(pack.datas);
    expect(entries).toHaveLength(1000);
    expect(entries.reduce((sum, d) => sum + bytes(d.docs), 0)).toBeLessThanOrEqual(
      DATA_PACK_DOCS_BUDGET_BYTES,
    );
    expect(entries.every((d) => d.docsTruncated === true && bytes(d.docs) > 0)).toBe(true);
    // Uncut, this answer would be 256 MiB.
    expect(JSON.stringify(pack).length).toBeLessThan(2 * 1024 * 1024);
  });

  it('keeps whole READMEs that fit, and shares what is left among the larger ones', () => {
    const small = '# small\n';
    const large = 'y'.repeat(300 * 1024);
    const store = catalogueOf({ 'a/small:1': small, 'a/one:1': large, 'a/two:1': large });
    const single = computeDataPack({ type: 'detail', names: ['a/one:1'] }, store);
    expect(single.datas['a/one:1']?.docs).toBe(large);
    expect(single.datas['a/one:1']).not.toHaveProperty('docsTruncated');

    const pack = computeDataPack({ type: 'detail', names: ['a/one:1', 'a/small:1', 'a/two:1'] }, store);
    expect(pack.datas['a/small:1']?.docs).toBe(small);
    expect(pack.datas['a/small:1']).not.toHaveProperty('docsTruncated');
    const share = Math.floor((DATA_PACK_DOCS_BUDGET_BYTES - bytes(small)) / 2);
    for (const name of ['a/one:1', 'a/two:1']) {
      expect(pack.datas[name]?.docsTruncated).toBe(true);
      expect(pack.datas[name]?.docs).toBe(large.slice(0, share));
    }
    // The same cut whatever order the names come in.
    const reversed = computeDataPack({ type: 'detail', names: ['a/two:1', 'a/small:1', 'a/one:1'] }, store);
    for (const name of Object.keys(pack.datas)) expect(reversed.datas[name]).toEqual(pack.datas[name]);
  });

  it('cuts multi-byte READMEs at a character boundary, within the schema limit', () => {
    const readme = '€😀'.repeat(README_MAX_BYTES / 7);
    const names = ['a/b:1', 'a/c:1', 'a/d:1'];
    const store = catalogueOf(Object.fromEntries(names.map((n) => [n, readme])));
    const pack = computeDataPack({ type: 'detail', names }, store);
    for (const data of Object.values(pack.datas)) {
      expect(data.docsTruncated).toBe(true);
      expect(bytes(data.docs)).toBeLessThanOrEqual(Math.floor(DATA_PACK_DOCS_BUDGET_BYTES / 3));
      expect(data.docs).not.toContain('\uFFFD');
      expect(readme.startsWith(data.docs ?? '')).toBe(true);
      expect(DataPackDataSchema.safeParse(data).success).toBe(true);
    }
  });
});

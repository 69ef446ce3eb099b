import { createHash } from 'node:crypto';
import { dataPackName, dataPackSpecHash, isValidMetadataName, legacyDataPackHash } from '@hub/api-types';
import { describe, expect, it } from 'vitest';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('legacy DataPack names (original frontend hashAny)', () => {
  it('hashes the detail page as [name, "detail"]', () => {
    const expected = md5('["labring/mysql:v8.0.31","detail"]');
    expect(legacyDataPackHash({ type: 'detail', names: ['labring/mysql:v8.0.31'] })).toBe(expected);
    expect(dataPackName({ type: 'detail', names: ['labring/mysql:v8.0.31'] }, 'legacy')).toBe(expected);
  });
  it('hashes the list page as [[names…], "grid"], in the order sent', () => {
    const names = ['labring/mysql:v8.0.31', 'labring/helm:v3.14'];
    expect(legacyDataPackHash({ type: 'grid', names })).toBe(
      md5('[["labring/mysql:v8.0.31","labring/helm:v3.14"],"grid"]'),
    );
    expect(legacyDataPackHash({ type: 'grid', names: [...names].reverse() })).not.toBe(
      legacyDataPackHash({ type: 'grid', names }),
    );
  });
});

describe('dataPackSpecHash', () => {
  it('is the SHA-256 of the normalized content spec', () => {
    const expected = createHash('sha256').update('{"names":["a/b:1","c/d:2"],"type":"grid"}').digest('hex');
    expect(dataPackSpecHash({ type: 'grid', names: ['c/d:2', 'a/b:1', 'c/d:2'] })).toBe(expected);
  });
  it('defaults the type to base and ignores name order', () => {
    expect(dataPackSpecHash({ names: ['x/y:1', 'a/b:1'] })).toBe(
      dataPackSpecHash({ type: 'base', names: ['a/b:1', 'x/y:1'] }),
    );
    expect(dataPackSpecHash({ type: 'grid', names: ['a/b:1'] })).not.toBe(
      dataPackSpecHash({ type: 'detail', names: ['a/b:1'] }),
    );
  });
  it('gives a valid metadata.name', () => {
    const name = dataPackName({ type: 'detail', names: ['labring/mysql:v8.0.31'] });
    expect(name).toMatch(/^datapack-detail-[0-9a-f]{32}$/);
    expect(isValidMetadataName(name)).toBe(true);
  });
});

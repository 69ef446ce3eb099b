import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from '../test-support/json-patch-apply.ts';
import { escapePointerToken, pointer, setMapEntries, setValue } from './json-patch.ts';

describe('JSON patch building', () => {
  it('escapes ~ and / in reference tokens (RFC 6901)', () => {
    expect(escapePointerToken('keyword.imagehub.sealos.io/GPU')).toBe('keyword.imagehub.sealos.io~1GPU');
    expect(escapePointerToken('a~/b')).toBe('a~0~1b');
    expect(pointer(['metadata', 'labels', 'x/y~z'])).toBe('/metadata/labels/x~1y~0z');
  });

  it('adds a missing subtree in one operation, and a member where the parent exists', () => {
    expect(setValue({ spec: { name: 'x' } }, ['spec', 'detail', 'docs'], 'README')).toEqual([
      { op: 'add', path: '/spec/detail', value: { docs: 'README' } },
    ]);
    expect(setValue({}, ['spec', 'detail', 'docs'], 'd')).toEqual([
      { op: 'add', path: '/spec', value: { detail: { docs: 'd' } } },
    ]);
    const object = { metadata: { labels: { keep: '1', 'a/b': 'old' } } };
    const ops = setMapEntries(object, ['metadata', 'labels'], { 'a/b': 'new', keep: '1', 'c~d': '' });
    expect(ops).toEqual([
      { op: 'add', path: '/metadata/labels/a~1b', value: 'new' },
      { op: 'add', path: '/metadata/labels/c~0d', value: '' },
    ]);
    expect(applyJsonPatch(object, ops).metadata.labels).toEqual({ keep: '1', 'a/b': 'new', 'c~d': '' });
  });
});

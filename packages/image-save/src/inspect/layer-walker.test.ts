import { gzipSync, zstdCompressSync } from 'node:zlib';
import { seededBytes, tarBytes } from '@hub/test-env/fixtures';
import { describe, expect, it } from 'vitest';
import { findLayerFiles, type WalkLayer } from './layer-walker.ts';

type Files = Record<string, string | Buffer>;

async function tar(files: Files): Promise<Buffer> {
  return tarBytes(Object.entries(files).map(([path, content]) => ({ path, content })));
}

/** A layer served in 4 KiB chunks, recording how often it was opened. */
function layer(name: string, bytes: Buffer, opened: string[] = []): WalkLayer {
  return {
    digest: name,
    open: async () => {
      opened.push(name);
      return (async function* () {
        for (let i = 0; i < bytes.length; i += 4096) yield bytes.subarray(i, i + 4096);
      })();
    },
  };
}

const README = { path: 'README.md', maxBytes: 1024 };
const META = { path: 'metadata/config.yaml', maxBytes: 1024 };

describe('findLayerFiles', () => {
  it('reads a README from a plain tar, a gzip and a zstd layer', async () => {
    const t = await tar({ 'README.md': '# hello\n' });
    for (const bytes of [t, gzipSync(t), zstdCompressSync(t)]) {
      const r = await findLayerFiles([layer('l0', bytes)], [README]);
      expect(r.files.get('README.md')?.content.toString()).toBe('# hello\n');
      expect(r.files.get('README.md')?.layer).toBe('l0');
    }
    const r = await findLayerFiles([layer('z', zstdCompressSync(t)), layer('g', gzipSync(t))], [README]);
    expect(r.compressions).toEqual(['zstd']);
  });

  it('stops inside the top layer once every file is found, without reading the rest', async () => {
    // Tar order is sorted: README.md and metadata/ come before zz/big.bin.
    const big = seededBytes('walker', 'big', 2 * 1024 * 1024);
    const top = await tar({ 'README.md': 'top', 'metadata/config.yaml': 'a: 1\n', 'zz/big.bin': big });
    const opened: string[] = [];
    const r = await findLayerFiles([layer('top', top, opened), layer('base', top, opened)], [README, META]);
    expect(r.stop).toBe('settled');
    expect(opened).toEqual(['top']);
    expect(r.bytesRead).toBeLessThan(64 * 1024);
    expect(r.files.get('metadata/config.yaml')?.content.toString()).toBe('a: 1\n');
  });

  it('takes the topmost copy and walks down to a README in a lower layer', async () => {
    const upper = await tar({ 'etc/app.conf': 'x' });
    const lower = await tar({ 'README.md': 'lower' });
    const r = await findLayerFiles([layer('u', gzipSync(upper)), layer('l', gzipSync(lower))], [README]);
    expect(r.files.get('README.md')?.content.toString()).toBe('lower');
    expect(r.files.get('README.md')?.layer).toBe('l');
    expect(r.layersRead).toBe(2);
  });

  it('honours a whiteout: a README deleted in an upper layer is gone', async () => {
    const upper = await tar({ '.wh.README.md': '' });
    const lower = await tar({ 'README.md': 'deleted' });
    const opened: string[] = [];
    const r = await findLayerFiles([layer('u', upper, opened), layer('l', lower, opened)], [README]);
    expect(r.files.get('README.md')).toBeUndefined();
    expect(r.settled.has('README.md')).toBe(true);
    expect(opened).toEqual(['u']);
  });

  it('a file in the same layer as its whiteout wins (the whiteout hides lower layers only)', async () => {
    const upper = await tar({ '.wh.README.md': '', 'README.md': 'new' });
    const lower = await tar({ 'README.md': 'old' });
    const r = await findLayerFiles([layer('u', upper), layer('l', lower)], [README]);
    expect(r.files.get('README.md')?.content.toString()).toBe('new');
  });

  it('honours an opaque directory, and a whited-out parent directory', async () => {
    const lower = await tar({ 'README.md': 'r', 'metadata/config.yaml': 'old: 1\n' });
    const opaque = await tar({ 'metadata/.wh..wh..opq': '', 'metadata/other.yaml': 'x' });
    const r1 = await findLayerFiles([layer('o', opaque), layer('l', lower)], [META]);
    expect(r1.files.get('metadata/config.yaml')).toBeUndefined();
    const parent = await tar({ '.wh.metadata': '' });
    const r2 = await findLayerFiles([layer('p', parent), layer('l', lower)], [META]);
    expect(r2.files.get('metadata/config.yaml')).toBeUndefined();
    const refilled = await tar({ 'metadata/.wh..wh..opq': '', 'metadata/config.yaml': 'new: 1\n' });
    const r3 = await findLayerFiles([layer('n', refilled), layer('l', lower)], [META]);
    expect(r3.files.get('metadata/config.yaml')?.content.toString()).toBe('new: 1\n');
    // The opaque dir does not hide a README outside it.
    const r4 = await findLayerFiles([layer('o', opaque), layer('l', lower)], [README]);
    expect(r4.files.get('README.md')?.content.toString()).toBe('r');
  });

  it('a file where a parent directory was hides the path below', async () => {
    const upper = await tar({ metadata: 'now a file' });
    const lower = await tar({ 'metadata/config.yaml': 'a: 1\n' });
    const r = await findLayerFiles([layer('u', upper), layer('l', lower)], [META]);
    expect(r.files.get('metadata/config.yaml')).toBeUndefined();
  });

  it('cuts a file over maxBytes and keeps reading the layer correctly', async () => {
    const text = 'x'.repeat(5000);
    const t = await tar({ 'README.md': text, 'metadata/config.yaml': 'b: 2\n' });
    const r = await findLayerFiles([layer('l', gzipSync(t))], [{ path: '/README.md', maxBytes: 100 }, META]);
    const found = r.files.get('README.md');
    expect(found?.content.length).toBe(100);
    expect(found?.size).toBe(5000);
    expect(found?.truncated).toBe(true);
    expect(r.files.get('metadata/config.yaml')?.content.toString()).toBe('b: 2\n');
  });

  it('does not open layers below the README layer (boundBy)', async () => {
    const top = await tar({ 'README.md': 'r' });
    const base = await tar({ 'metadata/config.yaml': 'a: 1\n' });
    const opened: string[] = [];
    const r = await findLayerFiles([layer('t', top, opened), layer('b', base, opened)], [README, META], {
      boundBy: 'README.md',
    });
    expect(opened).toEqual(['t']);
    expect(r.stop).toBe('bound');
    expect(r.settled.has('metadata/config.yaml')).toBe(false);
    const unbounded = await findLayerFiles([layer('t', top), layer('b', base)], [README, META]);
    expect(unbounded.files.get('metadata/config.yaml')?.layer).toBe('b');
  });

  it('stops at the byte budget and says so', async () => {
    const big = seededBytes('walker', 'budget', 256 * 1024);
    const t = await tar({ 'a.bin': big, 'README.md': 'late' });
    const r = await findLayerFiles([layer('l', t)], [README], { maxScanBytes: 64 * 1024 });
    expect(r.stop).toBe('budget');
    expect(r.files.get('README.md')).toBeUndefined();
    expect(r.bytesRead).toBeLessThanOrEqual(64 * 1024 + 4096);
  });

  it('rejects bytes that are not a tar', async () => {
    const junk = Buffer.alloc(2048, 7);
    await expect(findLayerFiles([layer('j', junk)], [README])).rejects.toThrow(/checksum|tar/);
    await expect(findLayerFiles([layer('j', gzipSync(junk))], [README])).rejects.toThrow(/checksum|tar/);
  });

  it('reads long names (pax/GNU) and ./-prefixed paths', async () => {
    const deep = `${'d'.repeat(120)}/README.md`;
    const t = await tar({ [deep]: 'deep', './README.md': 'dot' });
    const r = await findLayerFiles([layer('l', t)], [README, { path: deep, maxBytes: 100 }]);
    expect(r.files.get('README.md')?.content.toString()).toBe('dot');
    expect(r.files.get(deep)?.content.toString()).toBe('deep');
  });
});

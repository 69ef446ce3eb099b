import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestBytes, isValidRepositoryName, RegistryStorage, StorageError } from '@hub/image-save/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let root: string;
let storage: RegistryStorage;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hub-storage-'));
  storage = new RegistryStorage(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const v2 = () => join(root, 'docker', 'registry', 'v2');
const bytes = (text: string) => new TextEncoder().encode(text);

async function* chunks(...parts: string[]) {
  for (const p of parts) yield bytes(p);
}

describe('RegistryStorage blobs', () => {
  it('writes a blob at blobs/<alg>/<xx>/<hex>/data after verifying it', async () => {
    const data = bytes('hello world');
    const digest = digestBytes(data);
    const result = await storage.writeBlob(digest, chunks('hello ', 'world'), { size: data.byteLength });
    expect(result).toEqual({ size: 11, written: true });
    const hex = digest.slice('sha256:'.length);
    expect(await readFile(join(v2(), 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'), 'utf8')).toBe(
      'hello world',
    );
    expect(await storage.hasBlob(digest)).toBe(true);
    expect(await storage.blobSize(digest)).toBe(11);
    expect(await storage.writeBlobBytes(digest, data)).toEqual({ size: 11, written: false });
  });

  it('keeps nothing when the digest does not match', async () => {
    const digest = digestBytes(bytes('expected'));
    const error = await storage.writeBlob(digest, chunks('other')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('DIGEST_MISMATCH');
    expect(await storage.hasBlob(digest)).toBe(false);
    expect(await readdir(join(root, '.hub-save', 'partial'))).toEqual([]);
  });

  it('keeps nothing when the size does not match', async () => {
    const data = bytes('abc');
    const error = await storage
      .writeBlob(digestBytes(data), chunks('abc'), { size: 4 })
      .catch((e: unknown) => e);
    expect((error as StorageError).code).toBe('SIZE_MISMATCH');
    expect(await storage.hasBlob(digestBytes(data))).toBe(false);
  });

  it('supports sha512 digests', async () => {
    const data = bytes('sha512 content');
    const digest = digestBytes(data, 'sha512');
    await storage.writeBlobBytes(digest, data);
    expect(new TextDecoder().decode(await storage.readBlobBytes(digest))).toBe('sha512 content');
  });

  it('resumes a partial blob from its offset and verifies the full digest', async () => {
    const data = bytes('0123456789abcdef');
    const digest = digestBytes(data);
    const first = await storage.beginBlob(digest, { size: data.byteLength });
    await first.write(data.subarray(0, 6));
    await first.suspend();
    expect(await storage.hasBlob(digest)).toBe(false);

    const second = await storage.beginBlob(digest, { size: data.byteLength });
    expect(second.offset).toBe(6);
    await second.write(data.subarray(6));
    expect(await second.commit()).toEqual({ size: 16, written: true });
    expect(await storage.readBlobBytes(digest)).toEqual(data);
  });

  it('rejects a resumed blob whose prefix on disk was corrupted, keeping nothing', async () => {
    const data = bytes('0123456789abcdef');
    const digest = digestBytes(data);
    const partial = join(root, '.hub-save', 'partial', `sha256-${digest.slice(7)}.partial`);
    const first = await storage.beginBlob(digest);
    await first.write(bytes('XXXXXX'));
    await first.suspend();
    expect((await stat(partial)).size).toBe(6);
    const second = await storage.beginBlob(digest);
    await second.write(data.subarray(second.offset));
    await expect(second.commit()).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(stat(partial)).rejects.toThrow();
  });

  it('restart() discards bytes when a server ignores the Range request', async () => {
    const data = bytes('full body');
    const digest = digestBytes(data);
    const first = await storage.beginBlob(digest);
    await first.write(bytes('full'));
    await first.suspend();
    const second = await storage.beginBlob(digest);
    expect(second.offset).toBe(4);
    await second.restart();
    expect(second.offset).toBe(0);
    await second.write(data);
    await second.commit();
    expect(await storage.readBlobBytes(digest)).toEqual(data);
  });

  it('drops a partial file longer than the expected size', async () => {
    const data = bytes('abc');
    const digest = digestBytes(data);
    await writeFile(join(await mkdirPartial(), `sha256-${digest.slice(7)}.partial`), 'abcdef');
    const upload = await storage.beginBlob(digest, { size: 3 });
    expect(upload.offset).toBe(0);
    await upload.abort();
  });

  it('serialises concurrent uploads of one digest', async () => {
    const data = bytes('shared');
    const digest = digestBytes(data);
    const a = await storage.beginBlob(digest);
    let secondOpened = false;
    const b = storage.beginBlob(digest).then((u) => {
      secondOpened = true;
      return u;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(secondOpened).toBe(false);
    await a.write(data);
    await a.commit();
    const upload = await b;
    expect(await storage.hasBlob(digest)).toBe(true);
    await upload.abort();
  });

  it('opens byte ranges of stored blobs', async () => {
    const data = bytes('0123456789');
    const digest = digestBytes(data);
    await storage.writeBlobBytes(digest, data);
    const stream = await storage.openBlob(digest, { start: 2, end: 4 });
    let text = '';
    for await (const c of stream) text += (c as Buffer).toString();
    expect(text).toBe('234');
    await expect(storage.openBlob(digestBytes(bytes('missing')))).rejects.toMatchObject({
      code: 'BLOB_UNKNOWN',
    });
  });

  it('rejects malformed digests before touching disk', async () => {
    await expect(storage.hasBlob('sha256:../../etc')).rejects.toMatchObject({ code: 'INVALID_DIGEST' });
    await expect(storage.beginBlob('md5:abcd')).rejects.toMatchObject({ code: 'INVALID_DIGEST' });
  });

  async function mkdirPartial() {
    const dir = join(root, '.hub-save', 'partial');
    await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
    return dir;
  }
});

describe('RegistryStorage links and tags', () => {
  it('writes link files with the digest and no newline, only for stored blobs', async () => {
    const layer = bytes('layer');
    const digest = digestBytes(layer);
    await expect(storage.linkLayer('library/app', digest)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
    await storage.writeBlobBytes(digest, layer);
    await storage.linkLayer('library/app', digest);
    const link = join(v2(), 'repositories', 'library', 'app', '_layers', 'sha256', digest.slice(7), 'link');
    expect(await readFile(link, 'utf8')).toBe(digest);
    expect(await storage.hasLayerLink('library/app', digest)).toBe(true);
    expect(await storage.hasLayerLink('library/other', digest)).toBe(false);
  });

  it('tags write revision, index and current links', async () => {
    const manifest = bytes('{"schemaVersion":2}');
    const digest = digestBytes(manifest);
    await storage.writeBlobBytes(digest, manifest);
    await storage.tag('team/app', 'v1', digest);
    const repo = join(v2(), 'repositories', 'team', 'app', '_manifests');
    expect(await readFile(join(repo, 'tags', 'v1', 'current', 'link'), 'utf8')).toBe(digest);
    expect(await readFile(join(repo, 'tags', 'v1', 'index', 'sha256', digest.slice(7), 'link'), 'utf8')).toBe(
      digest,
    );
    expect(await readFile(join(repo, 'revisions', 'sha256', digest.slice(7), 'link'), 'utf8')).toBe(digest);
    expect(await storage.resolveTag('team/app', 'v1')).toBe(digest);
    expect(await storage.resolveTag('team/app', 'v2')).toBeUndefined();
    expect(await storage.hasManifestLink('team/app', digest)).toBe(true);
  });

  it('lists repositories like _catalog and tags sorted', async () => {
    const manifest = bytes('{}');
    const digest = digestBytes(manifest);
    await storage.writeBlobBytes(digest, manifest);
    await storage.tag('b/app', 'z', digest);
    await storage.tag('b/app', 'a', digest);
    await storage.tag('a', 'latest', digest);
    await storage.tag('127.0.0.1:5000/x/y', '1.0', digest);
    expect(await storage.listRepositories()).toEqual(['127.0.0.1:5000/x/y', 'a', 'b/app']);
    expect(await storage.listTags('b/app')).toEqual(['a', 'z']);
    expect(await storage.listTags('nope')).toEqual([]);
  });

  it('inventories stored blobs', async () => {
    const a = bytes('a');
    const b = bytes('bb');
    await storage.writeBlobBytes(digestBytes(a), a);
    await storage.writeBlobBytes(digestBytes(b), b);
    const found = [];
    for await (const blob of storage.listBlobs()) found.push(blob);
    expect(found.sort((x, y) => x.size - y.size)).toEqual([
      { digest: digestBytes(a), size: 1 },
      { digest: digestBytes(b), size: 2 },
    ]);
  });

  it('validates repository names and tags', async () => {
    const manifest = bytes('{}');
    const digest = digestBytes(manifest);
    await storage.writeBlobBytes(digest, manifest);
    for (const bad of ['../escape', '/abs', 'Upper/case', 'a//b', '_layers', 'a/../b', '']) {
      expect(isValidRepositoryName(bad), bad).toBe(false);
      await expect(storage.tag(bad, 'v1', digest)).rejects.toMatchObject({ code: 'INVALID_REPOSITORY' });
    }
    for (const bad of ['..', '.hidden', '-x', 'a/b', 'x'.repeat(129)]) {
      await expect(storage.tag('ok', bad, digest)).rejects.toMatchObject({ code: 'INVALID_TAG' });
    }
    expect(isValidRepositoryName('localhost:5000/a/b')).toBe(true);
    expect(isValidRepositoryName('library/nginx')).toBe(true);
  });
});

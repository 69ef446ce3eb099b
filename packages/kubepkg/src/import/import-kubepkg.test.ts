import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { RegistryStorage } from '@hub/image-save/storage';
import { importKubePkg, type KubePkgError, writeKubePkgArchive } from '@hub/kubepkg';
import { type DigestMeta, KUBEPKG_API_VERSION, type KubePkg } from '@hub/kubepkg/spec';
import { imageManifestBytes } from '@hub/test-env/fixtures';
import { pack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RepositoryOrigins } from '../origins/repository-origins.ts';

const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'kubepkg-test-'));
  dirs.push(dir);
  return dir;
}

/** A package with single-arch images (default: two repositories) sharing one layer. */
function fixture(names: readonly string[] = ['acme/web', 'acme/worker']) {
  const shared = Buffer.from('shared layer bytes'.repeat(1000));
  const blobs = new Map<string, Uint8Array>([[sha(shared), shared]]);
  const entries: DigestMeta[] = [];
  for (const name of names) {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', name }));
    const manifest = imageManifestBytes(config, [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(shared), size: shared.length },
    ]);
    blobs.set(sha(config), config);
    blobs.set(sha(manifest), manifest);
    entries.push(
      { type: 'blob', digest: sha(config), name, size: config.length },
      { type: 'blob', digest: sha(shared), name, size: shared.length },
      {
        type: 'manifest',
        digest: sha(manifest),
        name,
        size: manifest.length,
        tag: '1.0',
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
      },
    );
  }
  const document: KubePkg = {
    apiVersion: KUBEPKG_API_VERSION,
    kind: 'KubePkg',
    metadata: { name: 'demo' },
    spec: { version: '1.0.0', images: {}, manifests: {} },
    status: { digests: entries },
  };
  return { document, blobs };
}

async function archive(
  document: KubePkg,
  blobs: Map<string, Uint8Array>,
  gzip: false | number = 1,
): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeKubePkgArchive({
    document,
    blobs: [...blobs].map(([digest, bytes]) => ({
      digest,
      size: bytes.length,
      open: async () => [bytes] as unknown as AsyncIterable<Uint8Array>,
    })),
    output: out,
    gzip,
  });
  return Buffer.concat(chunks);
}

/** A raw tar built entry by entry, for hostile archives. */
async function rawTar(
  entries: Array<{
    name: string;
    body?: Buffer;
    type?: 'file' | 'symlink' | 'link' | 'directory';
    linkname?: string;
    size?: number;
  }>,
) {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => {
    chunks.push(c as Buffer);
  });
  const end = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) {
    await new Promise<void>((resolve, reject) =>
      p.entry(
        {
          name: e.name,
          type: e.type ?? 'file',
          ...(e.linkname ? { linkname: e.linkname } : {}),
          ...(e.body ? { size: e.body.length } : {}),
        },
        e.body ?? Buffer.alloc(0),
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  p.finalize();
  await end;
  return Buffer.concat(chunks);
}

describe('writeKubePkgArchive', () => {
  it('is byte-identical for the same input and puts kubepkg.json first', async () => {
    const { document, blobs } = fixture();
    const a = await archive(document, blobs);
    const b = await archive(document, new Map([...blobs].reverse()));
    expect(a.equals(b)).toBe(true);
    const plain = await archive(document, blobs, false);
    expect(plain.subarray(0, 12).toString()).toBe('kubepkg.json');
    // Each blob exactly once, in digest order.
    const names = [...plain.toString('latin1').matchAll(/blobs\/sha256\/[a-f0-9]{64}/g)].map((m) => m[0]);
    expect(names).toEqual([...new Set(names)].sort());
    expect(names.length).toBe(blobs.size);
  });
});

describe('importKubePkg to a storage directory', () => {
  it('links shared blobs in every repository, tags top-level manifests, and is idempotent', async () => {
    const { document, blobs } = fixture();
    const bytes = await archive(document, blobs);
    const dir = await tempDir();
    const first = await importKubePkg(PassThrough.from([bytes]), { dir });
    expect(first.written).toBe(blobs.size);
    expect(first.tags).toEqual(['acme/web:1.0', 'acme/worker:1.0']);
    const storage = new RegistryStorage(dir);
    const layer = [...blobs.keys()].find((d) => blobs.get(d)?.length === 18000) as string;
    expect(await storage.hasLayerLink('acme/web', layer)).toBe(true);
    expect(await storage.hasLayerLink('acme/worker', layer)).toBe(true);
    const tagged = await storage.resolveTag('acme/worker', '1.0');
    expect(tagged && (await storage.hasManifestLink('acme/worker', tagged))).toBe(true);
    const again = await importKubePkg(PassThrough.from([bytes]), { dir });
    expect(again.written).toBe(0);
    expect(await storage.listRepositories()).toEqual(['acme/web', 'acme/worker']);
  });

  it('accepts identical duplicate blob entries, as octohelm kubepkg writes one per repository', async () => {
    const { document, blobs } = fixture();
    const entries = [...blobs].map(([d, b]) => ({
      name: `blobs/sha256/${d.slice(7)}`,
      body: Buffer.from(b),
    }));
    const dir = await tempDir();
    const result = await importKubePkg(
      PassThrough.from([
        await rawTar([
          { name: 'kubepkg.json', body: Buffer.from(JSON.stringify(document)) },
          ...entries,
          ...entries,
          { name: 'index.json', body: Buffer.from('{}') },
          { name: 'index.json', body: Buffer.from('{}') },
        ]),
      ]),
      { dir },
    );
    expect(result.blobs).toBe(blobs.size);
    expect(result.tags).toEqual(['acme/web:1.0', 'acme/worker:1.0']);
  });

  it('records, for repositories stored without their host, the hosts spec.images names', async () => {
    const { document, blobs } = fixture();
    document.spec.images = {
      'registry.example:5000/acme/web:1.0': '',
      'acme/worker:1.0': '', // Docker Hub: docker.io/acme/worker
      'ghcr.io/not/stored:1': '',
    };
    const dir = await tempDir();
    await importKubePkg(PassThrough.from([await archive(document, blobs)]), { dir });
    const origins = new RepositoryOrigins(dir);
    expect(await origins.hosts('acme/web')).toEqual(['registry.example:5000']);
    expect(await origins.hosts('acme/worker')).toEqual(['docker.io']);
    expect(await origins.hosts('not/stored')).toEqual([]);
  });

  it('links a Docker Hub image under its short name too, and refuses a short name another registry holds', async () => {
    const { document, blobs } = fixture(['library/mysql']);
    document.spec.images = { 'mysql:1.0': '' };
    const dir = await tempDir();
    await importKubePkg(PassThrough.from([await archive(document, blobs)]), { dir });
    const storage = new RegistryStorage(dir);
    expect(await storage.listRepositories()).toEqual(['library/mysql', 'mysql']);
    expect(await storage.resolveTag('mysql', '1.0')).toBe(await storage.resolveTag('library/mysql', '1.0'));
    // Idempotent, and the short name stays Docker Hub's.
    await importKubePkg(PassThrough.from([await archive(document, blobs)]), { dir });
    const other = fixture(['mysql']);
    other.document.spec.images = { 'myreg.example:5000/mysql:1.0': '' };
    await expect(
      importKubePkg(PassThrough.from([await archive(other.document, other.blobs)]), { dir }),
    ).rejects.toMatchObject({ code: 'REPOSITORY_COLLISION', subject: 'mysql' });

    // The other way round: a bare mysql from another registry is there first.
    const taken = await tempDir();
    await importKubePkg(PassThrough.from([await archive(other.document, other.blobs)]), { dir: taken });
    await expect(
      importKubePkg(PassThrough.from([await archive(document, blobs)]), { dir: taken }),
    ).rejects.toMatchObject({ code: 'REPOSITORY_COLLISION', subject: 'mysql' });
    // Refused before anything was linked.
    expect(await new RegistryStorage(taken).listRepositories()).toEqual(['mysql']);
  });

  it('reads plain tar too (magic-byte detection)', async () => {
    const { document, blobs } = fixture();
    const dir = await tempDir();
    const result = await importKubePkg(PassThrough.from([await archive(document, blobs, false)]), { dir });
    expect(result.blobs).toBe(blobs.size);
  });
});

describe('hostile archives are rejected and leave nothing visible', () => {
  const spec = (document: KubePkg) => Buffer.from(JSON.stringify(document));
  const cases: Array<[string, string, () => Promise<Buffer>]> = [
    [
      'path traversal',
      'ARCHIVE_UNSAFE_PATH',
      async () =>
        rawTar([
          { name: 'kubepkg.json', body: spec(fixture().document) },
          { name: 'blobs/../../etc/x', body: Buffer.from('x') },
        ]),
    ],
    [
      'absolute path',
      'ARCHIVE_UNSAFE_PATH',
      async () => rawTar([{ name: '/kubepkg.json', body: spec(fixture().document) }]),
    ],
    [
      'symlink',
      'ARCHIVE_UNSUPPORTED_ENTRY',
      async () =>
        rawTar([
          { name: 'kubepkg.json', body: spec(fixture().document) },
          { name: 'blobs/sha256/x', type: 'symlink', linkname: '/etc/passwd' },
        ]),
    ],
    [
      'hardlink',
      'ARCHIVE_UNSUPPORTED_ENTRY',
      async () =>
        rawTar([
          { name: 'kubepkg.json', body: spec(fixture().document) },
          { name: `blobs/sha256/${'a'.repeat(64)}`, type: 'link', linkname: 'kubepkg.json' },
        ]),
    ],
    [
      'kubepkg.json not first',
      'ARCHIVE_MISSING_SPEC',
      async () => {
        const { document, blobs } = fixture();
        const [digest, body] = [...blobs][0] as [string, Uint8Array];
        return rawTar([
          { name: `blobs/sha256/${digest.slice(7)}`, body: Buffer.from(body) },
          { name: 'kubepkg.json', body: spec(document) },
        ]);
      },
    ],
    [
      'invalid kubepkg.json',
      'ARCHIVE_INVALID',
      async () => rawTar([{ name: 'kubepkg.json', body: Buffer.from('{"kind":"KubePkg"}') }]),
    ],
    [
      'conflicting duplicate entry (another size)',
      'ARCHIVE_DUPLICATE_ENTRY',
      async () => {
        const { document, blobs } = fixture();
        const [digest, body] = [...blobs][0] as [string, Uint8Array];
        const name = `blobs/sha256/${digest.slice(7)}`;
        return rawTar([
          { name: 'kubepkg.json', body: spec(document) },
          { name, body: Buffer.from(body) },
          { name, body: Buffer.concat([Buffer.from(body), Buffer.from('x')]) },
        ]);
      },
    ],
    [
      'conflicting duplicate entry (same size, other bytes)',
      'ARCHIVE_DUPLICATE_ENTRY',
      async () => {
        const { document, blobs } = fixture();
        const [digest, body] = [...blobs][0] as [string, Uint8Array];
        const name = `blobs/sha256/${digest.slice(7)}`;
        const tampered = Buffer.from(body);
        tampered[0] = (tampered[0] ?? 0) ^ 1;
        return rawTar([
          { name: 'kubepkg.json', body: spec(document) },
          { name, body: Buffer.from(body) },
          { name, body: tampered },
        ]);
      },
    ],
    [
      'digest mismatch',
      'ARCHIVE_DIGEST_MISMATCH',
      async () => {
        const { document, blobs } = fixture();
        const [digest, body] = [...blobs].find(([, b]) => b.length === 18000) as [string, Uint8Array];
        const tampered = Buffer.from(body);
        tampered[5] = 0x21;
        const rest = [...blobs]
          .filter(([d]) => d !== digest)
          .map(([d, b]) => ({ name: `blobs/sha256/${d.slice(7)}`, body: Buffer.from(b) }));
        return rawTar([
          { name: 'kubepkg.json', body: spec(document) },
          ...rest,
          { name: `blobs/sha256/${digest.slice(7)}`, body: tampered },
        ]);
      },
    ],
    [
      'blob not listed in the spec',
      'ARCHIVE_UNLISTED_BLOB',
      async () => {
        const body = Buffer.from('stowaway');
        return rawTar([
          { name: 'kubepkg.json', body: spec(fixture().document) },
          { name: `blobs/sha256/${sha(body).slice(7)}`, body },
        ]);
      },
    ],
    [
      'truncated gzip',
      'ARCHIVE_TRUNCATED',
      async () => {
        const { document, blobs } = fixture();
        const whole = await archive(document, blobs);
        return whole.subarray(0, whole.length - 40);
      },
    ],
    ['garbage', 'ARCHIVE_INVALID', async () => gzipSync(Buffer.alloc(2048, 7))],
  ];
  for (const [what, code, build] of cases) {
    it(`${what} → ${code}`, async () => {
      const dir = await tempDir();
      const error = (await importKubePkg(PassThrough.from([await build()]), { dir }).catch(
        (e: unknown) => e,
      )) as KubePkgError;
      expect(error.code).toBe(code);
      const storage = new RegistryStorage(dir);
      expect(await storage.listRepositories()).toEqual([]);
    });
  }

  it('rejects a blob whose entry size differs from its listed size → ARCHIVE_SIZE_MISMATCH', async () => {
    const { document, blobs } = fixture();
    const [digest, body] = [...blobs].find(([, b]) => b.length === 18000) as [string, Uint8Array];
    // The entry is the genuine blob (it hashes to its name); only the size kubepkg.json lists is off.
    const lying: KubePkg = {
      ...document,
      status: {
        digests: (document.status?.digests ?? []).map((d) =>
          d.digest === digest ? { ...d, size: 17_999 } : d,
        ),
      },
    };
    const dir = await tempDir();
    const error = (await importKubePkg(
      PassThrough.from([
        await rawTar([
          { name: 'kubepkg.json', body: Buffer.from(JSON.stringify(lying)) },
          { name: `blobs/sha256/${digest.slice(7)}`, body: Buffer.from(body) },
        ]),
      ]),
      { dir },
    ).catch((e: unknown) => e)) as KubePkgError;
    expect(error.code).toBe('ARCHIVE_SIZE_MISMATCH');
    expect(error.message).toContain('17999');
    expect(await new RegistryStorage(dir).hasBlob(digest)).toBe(false);
  });

  it('rejects an archive with too many entries → ARCHIVE_TOO_MANY_ENTRIES', async () => {
    const { document, blobs } = fixture();
    const dir = await tempDir();
    const error = (await importKubePkg(
      PassThrough.from([await archive(document, blobs)]),
      { dir },
      { maxEntries: 2 },
    ).catch((e: unknown) => e)) as KubePkgError;
    expect(error.code).toBe('ARCHIVE_TOO_MANY_ENTRIES');
  });

  it('rejects an oversize entry by its header, before reading it', async () => {
    const { document, blobs } = fixture();
    const dir = await tempDir();
    const error = (await importKubePkg(
      PassThrough.from([await archive(document, blobs)]),
      { dir },
      { maxBlobBytes: 100 },
    ).catch((e: unknown) => e)) as KubePkgError;
    expect(error.code).toBe('ARCHIVE_OVERSIZE_ENTRY');
  });

  it('names every missing blob of an incremental package, not just the first', async () => {
    const { document, blobs } = fixture();
    // Keep only the manifests: the shared layer and both configs are missing.
    const manifests = new Set(
      (document.status?.digests ?? []).filter((d) => d.type === 'manifest').map((d) => d.digest),
    );
    const partial = new Map([...blobs].filter(([d]) => manifests.has(d)));
    const dir = await tempDir();
    const error = (await importKubePkg(PassThrough.from([await archive(document, partial)]), { dir }).catch(
      (e: unknown) => e,
    )) as KubePkgError;
    expect(error.code).toBe('ARCHIVE_MISSING_BLOB');
    expect(error.message).toMatch(/^3 blobs are neither in the archive/);
    for (const digest of blobs.keys()) if (!manifests.has(digest)) expect(error.message).toContain(digest);
  });

  it('fails an incremental package whose base blobs are missing, before linking', async () => {
    const { document, blobs } = fixture();
    const partial = new Map([...blobs].filter(([, b]) => b.length !== 18000));
    const dir = await tempDir();
    const error = (await importKubePkg(PassThrough.from([await archive(document, partial)]), { dir }).catch(
      (e: unknown) => e,
    )) as KubePkgError;
    expect(error.code).toBe('ARCHIVE_MISSING_BLOB');
    expect(await new RegistryStorage(dir).listRepositories()).toEqual([]);
    expect(readFile).toBeTypeOf('function');
  });
});

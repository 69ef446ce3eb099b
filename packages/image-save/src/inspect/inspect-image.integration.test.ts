import { randomBytes } from 'node:crypto';
import { zstdCompressSync } from 'node:zlib';
import {
  buildHelmChart,
  buildImage,
  buildIndex,
  bytesBlob,
  type Layer,
  type LayerFile,
  largeLayer,
  MediaType,
  pushManifestTree,
  sha256,
  tarBytes,
  tarGzipLayer,
} from '@hub/test-env/fixtures';
import { describe, expect, inject, it } from 'vitest';
import { HUB_ICON_LABEL, HUB_KEYWORDS_LABEL, inspectImage, isInspectError } from '../index.ts';

const { registry, registryStorageDir } = inject('hubTestEnv');
const prefix = `inspect-${randomBytes(4).toString('hex')}`;
const plainHttp = [registry];

async function zstdLayer(files: LayerFile[]): Promise<Layer> {
  const tar = await tarBytes(files);
  return {
    ...bytesBlob(zstdCompressSync(tar), 'application/vnd.oci.image.layer.v1.tar+zstd'),
    diffId: sha256(tar),
  };
}

function withConfig(layers: Layer[], labels: Record<string, string>, created: string, arch = 'amd64') {
  return buildImage({
    layers,
    platform: { os: 'linux', architecture: arch },
    config: {
      created,
      architecture: arch,
      os: 'linux',
      config: { Labels: labels },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    },
    annotations: { 'org.opencontainers.image.description': 'from the manifest' },
  });
}

describe('inspectImage against the real registry', () => {
  it('reads config, labels, annotations and a README from the top layer without reading the base layer', async () => {
    const base = await largeLayer(`${prefix}-base`, 4 * 1024 * 1024);
    const top = await tarGzipLayer(
      [
        { path: 'README.md', content: '# App\n\nDocs.\n' },
        { path: 'metadata/config.yaml', content: 'spec:\n  detail:\n    url: https://app.example\n' },
      ],
      MediaType.ociLayerGzip,
    );
    const node = withConfig(
      [base, top],
      {
        'org.opencontainers.image.description': 'from a label',
        'org.opencontainers.image.url': 'https://example.com/app',
        'org.opencontainers.image.licenses': 'Apache-2.0',
        [HUB_ICON_LABEL]: 'https://example.com/icon.png',
        [HUB_KEYWORDS_LABEL]: 'Database, mysql ,,Database',
      },
      '2024-05-06T07:08:09.123456789Z',
    );
    await pushManifestTree(registry, `${prefix}/app`, 'v1', node);

    const r = await inspectImage(`${registry}/${prefix}/app:v1`, { plainHttp });
    expect(r.id).toBe(node.blobs[0]?.digest);
    expect(r.digest).toBe(node.manifest.digest);
    expect(r.os).toBe('linux');
    expect(r.architecture).toBe('amd64');
    expect(r.created).toBe('2024-05-06T07:08:09.123456789Z');
    expect(r.size).toBe(base.size + top.size);
    expect(r.metadata).toMatchObject({
      description: 'from the manifest',
      url: 'https://example.com/app',
      licenses: 'Apache-2.0',
      icon: 'https://example.com/icon.png',
      keywords: ['Database', 'mysql'],
    });
    expect(r.readme?.text).toBe('# App\n\nDocs.\n');
    expect(r.readme?.layer).toBe(top.digest);
    expect(r.metadataConfig?.text).toContain('https://app.example');
    expect(r.scan.layersRead).toBe(1);
    expect(r.scan.bytesRead).toBe(top.size);
    expect(r.scan.bytesRead).toBeLessThan(base.size / 100);

    // The same image read from the registry's own storage directory (what hub-save writes).
    const fromDir = await inspectImage(`${prefix}/app:v1`, { storageDir: registryStorageDir });
    expect(fromDir.readme?.text).toBe(r.readme?.text);
    expect(fromDir.id).toBe(r.id);
  });

  it('walks down past a whiteout, reads zstd layers, cuts a long README with a note', async () => {
    const lower = await tarGzipLayer([{ path: 'README.md', content: 'old readme' }], MediaType.ociLayerGzip);
    const upper = await zstdLayer([
      { path: '.wh.README.md', content: '' },
      { path: 'bin/app', content: 'x' },
    ]);
    const gone = withConfig([lower, upper], {}, '2024-01-01T00:00:00Z');
    await pushManifestTree(registry, `${prefix}/gone`, '1', gone);
    const r1 = await inspectImage(`${registry}/${prefix}/gone:1`, { plainHttp });
    expect(r1.readme).toBeUndefined();
    expect(r1.scan.layersRead).toBe(1);

    const long = `${'é'.repeat(600)}`;
    const z = withConfig(
      [await zstdLayer([{ path: 'README.md', content: long }])],
      {},
      '2024-01-01T00:00:00Z',
    );
    await pushManifestTree(registry, `${prefix}/zst`, '1', z);
    const r2 = await inspectImage(`${registry}/${prefix}/zst:1`, { plainHttp, readmeMaxBytes: 101 });
    expect(r2.readme?.truncated).toBe(true);
    expect(r2.readme?.size).toBe(Buffer.byteLength(long));
    // 101 bytes end inside a two-byte character: 50 whole ones survive (too little room for the note).
    expect(r2.readme?.text).toBe('é'.repeat(50));
    const r3 = await inspectImage(`${registry}/${prefix}/zst:1`, { plainHttp, readmeMaxBytes: 401 });
    expect(Buffer.byteLength(r3.readme?.text ?? '')).toBeLessThanOrEqual(401);
    expect(r3.readme?.text).toMatch(
      /^é+\n\n---\n\n\*This README was cut: the image's README.md is 1200 bytes/,
    );
    expect(r3.readme?.text).not.toContain('\uFFFD');
  });

  it('picks the platform from an index, and refuses what is not an image', async () => {
    const readme = (arch: string) =>
      tarGzipLayer([{ path: 'README.md', content: `for ${arch}` }], MediaType.ociLayerGzip);
    const amd = withConfig([await readme('amd64')], {}, '2024-01-01T00:00:00Z', 'amd64');
    const arm = withConfig([await readme('arm64')], {}, '2024-01-01T00:00:00Z', 'arm64');
    const index = buildIndex([
      { node: arm, platform: { os: 'linux', architecture: 'arm64' } },
      { node: amd, platform: { os: 'linux', architecture: 'amd64' } },
    ]);
    await pushManifestTree(registry, `${prefix}/multi`, 'v1', index);
    const byDefault = await inspectImage(`${registry}/${prefix}/multi:v1`, { plainHttp });
    expect(byDefault.architecture).toBe('amd64');
    expect(byDefault.indexDigest).toBe(index.manifest.digest);
    expect(byDefault.readme?.text).toBe('for amd64');
    const arm64 = await inspectImage(`${registry}/${prefix}/multi:v1`, {
      plainHttp,
      platform: 'linux/arm64',
    });
    expect(arm64.readme?.text).toBe('for arm64');
    const missing = await inspectImage(`${registry}/${prefix}/multi:v1`, {
      plainHttp,
      platform: 'linux/s390x',
    }).catch((e: unknown) => e);
    expect(isInspectError(missing) && missing.code).toBe('PLATFORM_NOT_FOUND');

    await pushManifestTree(
      registry,
      `${prefix}/chart`,
      '0.1.0',
      await buildHelmChart({ name: 'c', version: '0.1.0', seed: prefix }),
    );
    const chart = await inspectImage(`${registry}/${prefix}/chart:0.1.0`, { plainHttp }).catch(
      (e: unknown) => e,
    );
    expect(isInspectError(chart) && chart.code).toBe('NOT_AN_IMAGE');
    const absent = await inspectImage(`${registry}/${prefix}/nothing:1`, { plainHttp }).catch(
      (e: unknown) => e,
    );
    expect(isInspectError(absent) && absent.code).toBe('NOT_FOUND');
    const bad = await inspectImage('Not A Ref', { plainHttp }).catch((e: unknown) => e);
    expect(isInspectError(bad) && bad.code).toBe('INVALID_REFERENCE');
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { README_MAX_BYTES, validateImage } from '@hub/api-types';
import { RegistryStorage } from '@hub/image-save/storage';
import { buildImage, MediaType, tarGzipLayer } from '@hub/test-env/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_README_MAX_BYTES, inspectImage } from '../index.ts';

// A hub-save directory on disk: inspectImage reads it without any server.
let dir: string;

async function save(repository: string, readme: string): Promise<void> {
  const image = buildImage({
    layers: [await tarGzipLayer([{ path: 'README.md', content: readme }], MediaType.ociLayerGzip)],
  });
  const storage = new RegistryStorage(dir);
  for (const blob of [image.manifest, ...image.blobs]) {
    await storage.writeBlobBytes(blob.digest, blob.bytes ?? Buffer.alloc(0));
    await storage.linkLayer(repository, blob.digest);
  }
  await storage.linkManifest(repository, image.manifest.digest);
  await storage.tag(repository, '1', image.manifest.digest);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-inspect-readme-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inspectImage README limit', () => {
  it('is the project-wide README_MAX_BYTES, the note on a cut README included', async () => {
    expect(DEFAULT_README_MAX_BYTES).toBe(README_MAX_BYTES);
    const long = 'é'.repeat(README_MAX_BYTES); // twice the limit in bytes
    await save('team/long', long);
    const found = await inspectImage('team/long:1', { storageDir: dir });
    const text = found.readme?.text ?? '';
    expect(found.readme?.truncated).toBe(true);
    expect(found.readme?.size).toBe(2 * README_MAX_BYTES);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(README_MAX_BYTES);
    expect(text).toMatch(
      /This README was cut: the image's README\.md is 524288 bytes; the first \d+ are shown/,
    );
    expect(text).not.toContain('\uFFFD');
    // What hub-index writes from it is an Image the CRD (and the watch cache) accept.
    const image = {
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Image',
      metadata: { name: 'team.long.1' },
      spec: { name: 'team/long:1', detail: { docs: text } },
    };
    expect(validateImage(image).success).toBe(true);
  });

  it('says how many bytes it shows, and keeps a bare cut when the limit cannot hold the note', async () => {
    await save('team/short', 'é'.repeat(600));
    const cut = await inspectImage('team/short:1', { storageDir: dir, readmeMaxBytes: 401 });
    const text = cut.readme?.text ?? '';
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(401);
    const shown = /the first (\d+) are shown/.exec(text)?.[1];
    expect(text.startsWith('é'.repeat(Number(shown) / 2))).toBe(true);
    expect(text.slice(Number(shown) / 2)).toMatch(/^\n\n---\n\n\*This README was cut/);
    const bare = await inspectImage('team/short:1', { storageDir: dir, readmeMaxBytes: 101 });
    expect(bare.readme?.text).toBe('é'.repeat(50));
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaType, RegistryClient } from '@hub/image-save/registry';
import { digestBytes } from '@hub/image-save/storage';
import { startRegistry } from '@hub/test-env';
import { expect, it } from 'vitest';
import { saveToDirectory } from './save-images.ts';

it('saves an image pushed to a real registry and a second registry serves it', async () => {
  const source = await startRegistry();
  const dir = await mkdtemp(join(tmpdir(), 'hub-example-save-'));
  try {
    const client = new RegistryClient({ plainHttp: [source.host], auth: false });
    const loc = { registry: source.host, repository: 'demo/hello' };
    const layer = new TextEncoder().encode('hello layer');
    const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}');
    await client.putBlob(loc, digestBytes(layer), layer);
    await client.putBlob(loc, digestBytes(config), config);
    const manifest = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: digestBytes(config), size: config.byteLength },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar',
            digest: digestBytes(layer),
            size: layer.byteLength,
          },
        ],
      }),
    );
    await client.putManifest(loc, 'v1', manifest, MediaType.OciManifest);

    const result = await saveToDirectory(dir, [`${source.host}/demo/hello:v1`], [source.host]);
    expect(result.summary).toMatchObject({ saved: 1, failed: 0 });
    expect(result.repositories).toEqual(['demo/hello']);

    const served = await startRegistry({ storageDir: dir, readOnly: true });
    try {
      const reader = new RegistryClient({ plainHttp: [served.host], auth: false });
      const got = await reader.getManifest({ registry: served.host, repository: 'demo/hello' }, 'v1');
      expect(got.digest).toBe(digestBytes(manifest));
      await reader.close();
    } finally {
      await served.stop();
    }
    await client.close();
  } finally {
    await source.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

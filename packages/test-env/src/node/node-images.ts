import { readFile } from 'node:fs/promises';
import { bytesBlob, type Layer, sha256, tarBytes } from '../fixtures/blobs.ts';
import { buildImage } from '../fixtures/build-image.ts';
import { pushManifestTree } from '../fixtures/push.ts';

/** The node's own images in the test registry: nothing is pulled from a public registry. */
export interface NodeImages {
  /** The sandbox image containerd pins (`node-images pause`). */
  pause: string;
  /** Cluster DNS. */
  coredns: string;
  /** A tiny test app: `serve ADDR TEXT` answers TEXT over HTTP, `get URL…` prints each answer. */
  app: string;
}

/** An uncompressed one-layer image (a static binary needs no gzip round trip) with `entrypoint`. */
async function binaryImage(binary: string, target: string, entrypoint: readonly string[]) {
  const tar = await tarBytes([{ path: target, content: await readFile(binary), mode: 0o755 }]);
  const layer: Layer = { ...bytesBlob(tar, 'application/vnd.oci.image.layer.v1.tar'), diffId: sha256(tar) };
  return buildImage({
    layers: [layer],
    config: {
      created: '1970-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: {
        Entrypoint: [...entrypoint],
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        WorkingDir: '/',
      },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    },
  });
}

/** Builds the pause, CoreDNS and app images from the cached binaries and pushes them to `registryHost`. */
export async function pushNodeImages(
  registryHost: string,
  binaries: { nodeImages: string; coredns: string },
): Promise<NodeImages> {
  const images: NodeImages = {
    pause: `${registryHost}/hub-testenv/pause:1`,
    coredns: `${registryHost}/hub-testenv/coredns:1`,
    app: `${registryHost}/hub-testenv/app:1`,
  };
  const [pause, coredns, app] = await Promise.all([
    binaryImage(binaries.nodeImages, 'pause', ['/pause', 'pause']),
    binaryImage(binaries.coredns, 'coredns', ['/coredns']),
    binaryImage(binaries.nodeImages, 'app', ['/app']),
  ]);
  await Promise.all([
    pushManifestTree(registryHost, 'hub-testenv/pause', '1', pause),
    pushManifestTree(registryHost, 'hub-testenv/coredns', '1', coredns),
    pushManifestTree(registryHost, 'hub-testenv/app', '1', app),
  ]);
  return images;
}

// Writes archives in the exact format octohelm kubepkg v0.1.x writes (its Go module is not on the module
// proxy here, so it cannot be built): a gzipped tar of `kubepkg.json` (repository names keep the registry
// host, `spec.images` pinned, `status.digests` in the order child blobs → child manifest → index, with no
// dedupe, and every child manifest tagged with its index's tag), then one `blobs/<alg>/<hex>` entry per
// digests entry (so a blob shared by two repositories appears twice), then `index.json`, `manifest.json` and
// `oci-layout`, with real mtimes. See /work/shared/reference/save-kubepkg.md §3.1-3.4.

import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { manifestBlobs, parseManifest, RegistryClient } from '@hub/image-save/registry';
import { pack } from 'tar-stream';

export interface OriginalImage {
  /** Where to read it from (a test registry). */
  source: { registry: string; repository: string; reference: string };
  /** The name the original gives it, host kept: `docker.io/team/group/single`. */
  name: string;
  tag: string;
}

export async function writeOctohelmV01Archive(
  path: string,
  spec: { name: string; version: string; manifests: Record<string, unknown> },
  images: OriginalImage[],
  plainHttp: string[],
): Promise<{ document: Record<string, unknown>; pinned: Record<string, string> }> {
  const client = new RegistryClient({ plainHttp, auth: false });
  const bytes = new Map<string, Uint8Array>();
  const digests: Array<Record<string, unknown>> = [];
  const pinned: Record<string, string> = {};
  const fetchBlob = async (loc: { registry: string; repository: string }, digest: string) => {
    if (bytes.has(digest)) return;
    const chunks: Buffer[] = [];
    for await (const chunk of (await client.getBlob(loc, digest)).body)
      chunks.push(Buffer.from(chunk as Uint8Array));
    bytes.set(digest, Buffer.concat(chunks));
  };
  try {
    for (const image of images) {
      const loc = { registry: image.source.registry, repository: image.source.repository };
      const top = await client.getManifest(loc, image.source.reference);
      bytes.set(top.digest, top.bytes);
      pinned[`${image.name}:${image.tag}`] = top.digest;
      const parsed = parseManifest(top.bytes, top.mediaType);
      const children =
        parsed.kind === 'index'
          ? parsed.manifests.map((d) => ({ digest: d.digest, platform: d.platform }))
          : [];
      for (const child of children) {
        const fetched = await client.getManifest(loc, child.digest);
        bytes.set(fetched.digest, fetched.bytes);
        const childParsed = parseManifest(fetched.bytes, fetched.mediaType);
        if (childParsed.kind !== 'manifest') throw new Error(`nested index in ${image.name}`);
        for (const blob of manifestBlobs(childParsed)) {
          await fetchBlob(loc, blob.digest);
          digests.push({ type: 'blob', digest: blob.digest, name: image.name, size: blob.size });
        }
        const platform = child.platform
          ? `${child.platform.os}/${child.platform.architecture}${child.platform.variant ? `/${child.platform.variant}` : ''}`
          : undefined;
        digests.push({
          type: 'manifest',
          digest: fetched.digest,
          name: image.name,
          size: fetched.size,
          tag: image.tag,
          ...(platform ? { platform } : {}),
        });
      }
      if (parsed.kind === 'manifest') {
        for (const blob of manifestBlobs(parsed)) {
          await fetchBlob(loc, blob.digest);
          digests.push({ type: 'blob', digest: blob.digest, name: image.name, size: blob.size });
        }
      }
      digests.push({
        type: 'manifest',
        digest: top.digest,
        name: image.name,
        size: top.size,
        tag: image.tag,
      });
    }
  } finally {
    await client.close();
  }
  const document = {
    apiVersion: 'octohelm.tech/v1alpha1',
    kind: 'KubePkg',
    metadata: { name: spec.name },
    spec: { version: spec.version, images: pinned, manifests: spec.manifests },
    status: { digests },
  };
  const tar = pack();
  const mtime = new Date('2022-06-01T12:00:00Z');
  const add = (name: string, body: Uint8Array) =>
    new Promise<void>((resolve, reject) =>
      tar.entry({ name, mode: 0o644, mtime, size: body.byteLength }, Buffer.from(body), (e) =>
        e ? reject(e) : resolve(),
      ),
    );
  const writing = pipeline(tar, createGzip(), createWriteStream(path));
  await add('kubepkg.json', Buffer.from(JSON.stringify(document)));
  for (const entry of digests) {
    const digest = entry.digest as string;
    await add(`blobs/${digest.replace(':', '/')}`, bytes.get(digest) as Uint8Array);
  }
  const index = {
    schemaVersion: 2,
    manifests: images.map((image) => ({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: pinned[`${image.name}:${image.tag}`],
      size: bytes.get(pinned[`${image.name}:${image.tag}`] as string)?.byteLength,
      annotations: {
        'io.containerd.image.name': `${image.name}:${image.tag}`,
        'org.opencontainers.image.ref.name': image.tag,
      },
    })),
  };
  await add('index.json', Buffer.from(JSON.stringify(index)));
  await add('manifest.json', Buffer.from('[]'));
  await add('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  tar.finalize();
  await writing;
  return { document, pinned };
}

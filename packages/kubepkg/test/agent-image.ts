// The pull-only agent's image for the node tests, made the way the controller's is: the controller image's runtime
// (Node 24, its glibc, CA certificates, user 65532; built by packages/controller/image/build-image.ts) plus one layer
// with the kubepkg CLI bundled by esbuild into a single ES module, `kubepkg` as the entrypoint.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jsonBlob, sha256, tarGzipLayer } from '@hub/test-env/fixtures';
import { build } from 'esbuild';

const run = promisify(execFile);
const ACCEPT =
  'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

async function bundleKubepkg(): Promise<Buffer> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, '..', 'src', 'cli.ts')],
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    conditions: ['@hub/source'],
    minify: true,
    banner: {
      js: "import { createRequire as __hubRequire } from 'node:module'; const require = __hubRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return Buffer.from(result.outputFiles[0]?.contents ?? new Uint8Array());
}

async function put(url: string, body: Buffer, contentType: string): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': contentType } });
  if (res.status !== 201) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
}

async function pushBlob(registry: string, repository: string, bytes: Buffer): Promise<void> {
  const start = await fetch(`http://${registry}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  const location = new URL(start.headers.get('location') ?? '', `http://${registry}`);
  location.searchParams.set('digest', sha256(bytes));
  await put(location.toString(), bytes, 'application/octet-stream');
}

/** Builds and pushes the controller image to `registry/hub/controller:<tag>`. */
export async function pushControllerImage(registry: string, tag: string): Promise<string> {
  const script = join(import.meta.dirname, '..', '..', 'controller', 'image', 'build-image.ts');
  const ref = `${registry}/hub/controller:${tag}`;
  await run(process.execPath, ['--conditions=@hub/source', script, '--push', ref, '--plain-http'], {
    maxBuffer: 16 << 20,
    timeout: 600_000,
  });
  return ref;
}

/** `registry/hub/kubepkg:<tag>` from `registry/hub/controller:<fromTag>` plus the kubepkg bundle. */
export async function pushAgentImage(registry: string, fromTag: string, tag: string): Promise<string> {
  const base = `http://${registry}/v2/hub/controller`;
  const manifest = (await (
    await fetch(`${base}/manifests/${fromTag}`, { headers: { accept: ACCEPT } })
  ).json()) as {
    mediaType?: string;
    config: Descriptor;
    layers: Descriptor[];
  };
  const config = (await (await fetch(`${base}/blobs/${manifest.config.digest}`)).json()) as {
    config: Record<string, unknown>;
    rootfs: { diff_ids: string[] };
    history?: unknown[];
  };
  const docker = manifest.mediaType === 'application/vnd.docker.distribution.manifest.v2+json';
  const layer = await tarGzipLayer(
    [{ path: 'app/kubepkg.mjs', content: await bundleKubepkg(), mode: 0o644 }],
    docker
      ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
      : 'application/vnd.oci.image.layer.v1.tar+gzip',
  );
  for (const l of manifest.layers) {
    const mount = await fetch(
      `http://${registry}/v2/hub/kubepkg/blobs/uploads/?mount=${l.digest}&from=hub/controller`,
      {
        method: 'POST',
      },
    );
    if (mount.status !== 201) throw new Error(`mounting ${l.digest}: ${mount.status}`);
  }
  await pushBlob(registry, 'hub/kubepkg', layer.bytes as Buffer);
  const newConfig = jsonBlob(
    {
      ...config,
      config: { ...config.config, Entrypoint: ['/usr/local/bin/node', '/app/kubepkg.mjs'], Cmd: [] },
      rootfs: { ...config.rootfs, diff_ids: [...config.rootfs.diff_ids, layer.diffId] },
      history: [...(config.history ?? []), { created: '1970-01-01T00:00:00Z', created_by: 'kubepkg bundle' }],
    },
    manifest.config.mediaType,
  );
  await pushBlob(registry, 'hub/kubepkg', newConfig.bytes as Buffer);
  const mediaType = manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  const bytes = Buffer.from(
    JSON.stringify({
      ...manifest,
      config: { mediaType: manifest.config.mediaType, digest: newConfig.digest, size: newConfig.size },
      layers: [...manifest.layers, { mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
    }),
  );
  await put(`http://${registry}/v2/hub/kubepkg/manifests/${tag}`, bytes, mediaType);
  return `${registry}/hub/kubepkg:${tag}`;
}

import { randomBytes } from 'node:crypto';
import { MediaType, RegistryClient } from '@hub/image-save/registry';
import { digestBytes } from '@hub/image-save/storage';

/** A synthetic image pushed for tests: enough to exercise indexes, shared layers and charts. */
export interface PushedImage {
  repository: string;
  tag: string;
  digest: string;
  /** Digests of every child manifest by platform (`os/arch[/variant]`), for indexes. */
  children: Record<string, string>;
  /** Blob digests per platform (for images) or `artifact`. */
  blobs: Record<string, string[]>;
  bytes: Uint8Array;
}

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

/** Pushes blobs and manifests with the package's own client (also exercising upload + manifest PUT). */
export class CorpusBuilder {
  readonly host: string;
  readonly client: RegistryClient;
  constructor(host: string) {
    this.host = host;
    this.client = new RegistryClient({ plainHttp: [host], auth: false });
  }

  async blob(repository: string, bytes: Uint8Array, chunkSize?: number) {
    const digest = digestBytes(bytes);
    await this.client.putBlob(
      { registry: this.host, repository },
      digest,
      bytes,
      chunkSize ? { chunkSize } : {},
    );
    return { digest, size: bytes.byteLength };
  }

  async image(
    repository: string,
    platform: { os: string; architecture: string; variant?: string },
    layers: Uint8Array[],
  ) {
    const config = enc({
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      rootfs: { type: 'layers', diff_ids: [] },
    });
    const c = await this.blob(repository, config);
    const ls = [];
    for (const l of layers)
      ls.push({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        ...(await this.blob(repository, l)),
      });
    const manifest = enc({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, ...c },
      layers: ls,
    });
    const digest = await this.client.putManifest(
      { registry: this.host, repository },
      digestBytes(manifest),
      manifest,
      MediaType.OciManifest,
    );
    return {
      digest,
      size: manifest.byteLength,
      bytes: manifest,
      blobs: [c.digest, ...ls.map((l) => l.digest)],
    };
  }

  /** A multi-arch index (amd64, arm64, arm/v7) plus an attestation entry, tagged. */
  async multiArch(
    repository: string,
    tag: string,
    shared: Uint8Array,
    layerSize = 4096,
  ): Promise<PushedImage> {
    const platforms = [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ];
    const children: Record<string, string> = {};
    const blobs: Record<string, string[]> = {};
    const entries = [];
    for (const p of platforms) {
      const img = await this.image(repository, p, [shared, randomBytes(layerSize)]);
      const key = [p.os, p.architecture, p.variant].filter(Boolean).join('/');
      children[key] = img.digest;
      blobs[key] = img.blobs;
      entries.push({ mediaType: MediaType.OciManifest, digest: img.digest, size: img.size, platform: p });
    }
    const att = await this.image(repository, { os: 'unknown', architecture: 'unknown' }, [randomBytes(64)]);
    entries.push({
      mediaType: MediaType.OciManifest,
      digest: att.digest,
      size: att.size,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: {
        'vnd.docker.reference.digest': children['linux/amd64'],
        'vnd.docker.reference.type': 'attestation-manifest',
      },
    });
    children.attestation = att.digest;
    blobs.attestation = att.blobs;
    const index = enc({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: entries });
    const digest = await this.client.putManifest(
      { registry: this.host, repository },
      tag,
      index,
      MediaType.OciIndex,
    );
    return { repository, tag, digest, children, blobs, bytes: index };
  }

  /** A Helm chart as an OCI artifact (config + chart layer), tagged. */
  async chart(repository: string, tag: string, content: Uint8Array): Promise<PushedImage> {
    const cfg = await this.blob(repository, enc({ name: 'demo', version: tag, apiVersion: 'v2' }));
    const layer = await this.blob(repository, content, 1024);
    const manifest = enc({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.HelmConfig, ...cfg },
      layers: [{ mediaType: MediaType.HelmChartContent, ...layer }],
    });
    const digest = await this.client.putManifest(
      { registry: this.host, repository },
      tag,
      manifest,
      MediaType.OciManifest,
    );
    return {
      repository,
      tag,
      digest,
      children: {},
      blobs: { artifact: [cfg.digest, layer.digest] },
      bytes: manifest,
    };
  }

  /** A single-platform image (no index), tagged. */
  async single(repository: string, tag: string, layers: Uint8Array[]): Promise<PushedImage> {
    const img = await this.image(repository, { os: 'linux', architecture: 'amd64' }, layers);
    await this.client.putManifest({ registry: this.host, repository }, tag, img.bytes, MediaType.OciManifest);
    return {
      repository,
      tag,
      digest: img.digest,
      children: {},
      blobs: { 'linux/amd64': img.blobs },
      bytes: img.bytes,
    };
  }

  close() {
    return this.client.close();
  }
}

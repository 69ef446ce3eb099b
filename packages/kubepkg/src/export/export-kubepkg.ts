import type { Writable } from 'node:stream';
import { formatPlatform, type PlatformSpec, parsePlatform } from '@hub/image-save/platform';
import { RegistryClient, type RegistryClientOptions } from '@hub/image-save/registry';
import type { ArchiveBlob } from '../archive/write-archive.ts';
import { writeKubePkgArchive } from '../archive/write-archive.ts';
import type { DigestMeta, KubePkg, KubePkgList } from '../spec/kubepkg-schema.ts';
import { kubePkgsOf } from '../spec/safe-parse.ts';
import { type BlobRetry, BUFFERED_BLOB_BYTES, blobBody, verifiedSmallBlob } from './blob-body.ts';
import { type RepositoryNaming, type ResolvedImage, resolveImage } from './resolve-images.ts';

/** Progress of {@link exportKubePkg}. */
export type ExportEvent =
  | { type: 'resolved'; reference: string; digest: string; blobs: number }
  | { type: 'blob'; digest: string; size: number; done: number; total: number }
  | { type: 'skipped'; digest: string; size: number; reason: 'since' | 'inventory' }
  | ({ type: 'retry' } & BlobRetry);

/** Options for {@link exportKubePkg}. */
export interface ExportKubePkgOptions extends RepositoryNaming {
  /** The package(s) to export; images not yet pinned are resolved. */
  input: KubePkg | KubePkgList;
  /**
   * Platforms to keep from multi-arch images (`linux/amd64`…), or `'all'`. Default: the package's
   * `octohelm.tech/platforms` (or `octohelm.tech/platform`) annotation, else linux/amd64 + linux/arm64.
   */
  platforms?: ReadonlyArray<string | PlatformSpec> | 'all';
  /** Keep attestation manifests (and their blobs) of the kept images (default false). */
  attestations?: boolean;
  /** Output file (written atomically) or stream. */
  output: string | Writable;
  /** A previous package: blobs it carried (its `status.digests`) are left out. */
  since?: KubePkg | KubePkgList;
  /** Digests the target already has (`kubepkg inventory`): left out too. */
  inventory?: Iterable<string>;
  /** `false` for plain tar, or a gzip level. */
  gzip?: false | number;
  /** A RegistryClient to use, or options for one created (and closed) here. */
  client?: RegistryClient | RegistryClientOptions;
  signal?: AbortSignal;
  onEvent?: (event: ExportEvent) => void;
}

/** What {@link exportKubePkg} wrote. */
export interface ExportKubePkgResult {
  /** The exported document, with pinned digests and `status.digests`. */
  document: KubePkg | KubePkgList;
  /** Blobs in the archive. */
  blobs: Array<{ digest: string; size: number }>;
  /** Blobs left out because the target has them. */
  skipped: Array<{ digest: string; size: number }>;
}

/**
 * Exports packages to a kubepkg archive: resolves every `spec.images` entry to a digest with
 * platform selection, writes the pinned digests and `status.digests` into the exported spec, and
 * streams blobs straight from the registries into a deterministic archive (same input → same bytes).
 */
export async function exportKubePkg(options: ExportKubePkgOptions): Promise<ExportKubePkgResult> {
  const platformsOf = (pkg: KubePkg): PlatformSpec[] | 'all' => {
    const wanted = options.platforms ?? annotatedPlatforms(pkg) ?? ['linux/amd64', 'linux/arm64'];
    return wanted === 'all' ? 'all' : wanted.map((p) => (typeof p === 'string' ? parsePlatform(p) : p));
  };
  const owned = !(options.client instanceof RegistryClient);
  const client =
    options.client instanceof RegistryClient ? options.client : new RegistryClient(options.client ?? {});
  try {
    const resolvedByRef = new Map<string, ResolvedImage>();
    const packages: KubePkg[] = [];
    for (const pkg of kubePkgsOf(options.input)) {
      const images: Record<string, string> = {};
      const statusImages: Record<string, string> = {};
      const entries: DigestMeta[] = [];
      const platforms = platformsOf(pkg);
      for (const reference of Object.keys(pkg.spec.images).sort()) {
        const pinned = pkg.spec.images[reference] ?? '';
        const key = `${reference}\n${pinned}\n${platforms === 'all' ? 'all' : platforms.map((p) => formatPlatform(p)).join(',')}`;
        let resolved = resolvedByRef.get(key);
        if (!resolved) {
          resolved = await resolveImage(client, reference, pinned, {
            platforms,
            attestations: options.attestations ?? false,
            ...(options.keepHost ? { naming: { keepHost: true } } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          });
          resolvedByRef.set(key, resolved);
          options.onEvent?.({
            type: 'resolved',
            reference,
            digest: resolved.digest,
            blobs: resolved.entries.filter((e) => e.type === 'blob').length,
          });
        }
        images[reference] = resolved.digest;
        statusImages[reference] = resolved.digest;
        entries.push(...resolved.entries);
      }
      const { status: _previous, ...rest } = pkg;
      packages.push({
        ...rest,
        spec: { ...pkg.spec, images },
        status: { images: statusImages, digests: dedupeEntries(entries) },
      });
    }
    const document: KubePkg | KubePkgList =
      options.input.kind === 'KubePkgList' ? { ...options.input, items: packages } : (packages[0] as KubePkg);

    const skip = new Map<string, 'since' | 'inventory'>();
    if (options.since) {
      for (const pkg of kubePkgsOf(options.since)) {
        for (const entry of pkg.status?.digests ?? [])
          if (entry.type === 'blob') skip.set(entry.digest, 'since');
      }
    }
    for (const digest of options.inventory ?? []) if (!skip.has(digest)) skip.set(digest, 'inventory');

    const manifests = new Map<string, Uint8Array>();
    const sources = new Map<string, { loc: { registry: string; repository: string }; reference: string }>();
    for (const resolved of resolvedByRef.values()) {
      for (const [digest, bytes] of resolved.manifests) manifests.set(digest, bytes);
      for (const [digest, loc] of resolved.sources)
        if (!sources.has(digest)) sources.set(digest, { loc, reference: resolved.reference });
    }
    const blobs: ArchiveBlob[] = [];
    const skipped: Array<{ digest: string; size: number }> = [];
    const sizes = new Map<string, number>();
    for (const pkg of packages)
      for (const entry of pkg.status?.digests ?? []) sizes.set(entry.digest, entry.size);
    for (const [digest, size] of [...sizes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const bytes = manifests.get(digest);
      if (bytes) {
        // Manifests always travel: they are small and make the package self-describing.
        blobs.push({ digest, size, open: async () => [bytes] as unknown as AsyncIterable<Uint8Array> });
        continue;
      }
      const reason = skip.get(digest);
      if (reason) {
        skipped.push({ digest, size });
        options.onEvent?.({ type: 'skipped', digest, size, reason });
        continue;
      }
      const from = sources.get(digest);
      if (!from) continue;
      blobs.push({
        digest,
        size,
        source: from.reference,
        open: async () => {
          const body = {
            reference: from.reference,
            ...(options.signal ? { signal: options.signal } : {}),
            onRetry: (retry: BlobRetry) => options.onEvent?.({ type: 'retry', ...retry }),
          };
          // Small blobs are verified whole first, so corrupted bytes can be fetched again; large ones stream
          // and are verified before their tar entry closes.
          return size <= BUFFERED_BLOB_BYTES
            ? verifiedSmallBlob(client, from.loc, digest, size, body)
            : blobBody(client, from.loc, digest, size, body);
        },
      });
    }
    let done = 0;
    const total = blobs.length;
    const written = await writeKubePkgArchive({
      document,
      blobs,
      output: options.output,
      ...(options.gzip !== undefined ? { gzip: options.gzip } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onBlob: ({ digest, size }) => options.onEvent?.({ type: 'blob', digest, size, done: ++done, total }),
    });
    return { document, blobs: written.blobs, skipped };
  } finally {
    if (owned) await client.close();
  }
}

/**
 * The platforms a package asks for in its annotations (`octohelm.tech/platforms`, as crpe writes it, or
 * `octohelm.tech/platform`, as octohelm kubepkg's Go code reads it): comma-separated `os/arch[/variant]`.
 */
export function annotatedPlatforms(pkg: KubePkg): string[] | undefined {
  const annotations = pkg.metadata.annotations ?? {};
  const value = annotations['octohelm.tech/platforms'] ?? annotations['octohelm.tech/platform'];
  const platforms = value
    ?.split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return platforms && platforms.length > 0 ? platforms : undefined;
}

/** One entry per (type, repository, digest, tag), in a stable order. */
function dedupeEntries(entries: DigestMeta[]): DigestMeta[] {
  const byKey = new Map<string, DigestMeta>();
  for (const entry of entries)
    byKey.set(`${entry.name}\n${entry.type}\n${entry.digest}\n${entry.tag ?? ''}`, entry);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

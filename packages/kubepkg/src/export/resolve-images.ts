import { type ImageReference, mustParseImageReference } from '@hub/api-types';
import { keptHostRepository } from '@hub/image-save';
import { formatPlatform, type PlatformSpec, selectIndexChildren } from '@hub/image-save/platform';
import {
  type Descriptor,
  manifestBlobs,
  parseManifest,
  type RegistryClient,
  type RepositoryLocation,
} from '@hub/image-save/registry';
import { KubePkgError } from '../errors.ts';
import type { DigestMeta } from '../spec/kubepkg-schema.ts';

/** How repositories are named in the package (and so in the target registry). */
export interface RepositoryNaming {
  /** Keep the source host as the first path segment (`docker.io/library/nginx`); default false (`library/nginx`). */
  keepHost?: boolean;
}

/** The stored repository name of a reference, see {@link RepositoryNaming}. */
export function storedRepositoryName(ref: ImageReference, naming: RepositoryNaming = {}): string {
  return naming.keepHost ? keptHostRepository(ref.registry, ref.repository) : ref.repository;
}

/** One image after resolution: its pinned top-level digest and everything to carry. */
export interface ResolvedImage {
  reference: string;
  digest: string;
  entries: DigestMeta[];
  /** Manifest bytes by digest (small; kept in memory, never re-serialised). */
  manifests: Map<string, Uint8Array>;
  /** Where each blob can be fetched from. */
  sources: Map<string, RepositoryLocation>;
}

/**
 * Resolves one image reference: fetches its manifest byte-exact (by the pinned digest when given,
 * else by tag), keeps an index unchanged, follows only the children of the wanted platforms (entries
 * without platform always), and lists every manifest and blob as `status.digests` entries.
 */
export async function resolveImage(
  client: RegistryClient,
  reference: string,
  pinned: string,
  options: {
    platforms: readonly PlatformSpec[] | 'all';
    attestations?: boolean;
    naming?: RepositoryNaming;
    signal?: AbortSignal;
  },
): Promise<ResolvedImage> {
  let ref: ImageReference;
  try {
    ref = mustParseImageReference(reference);
  } catch (cause) {
    throw new KubePkgError('INVALID_KUBEPKG', `spec.images: "${reference}" is not a valid image reference.`, {
      subject: reference,
      cause,
    });
  }
  const loc: RepositoryLocation = { registry: ref.registry, repository: ref.repository };
  const name = storedRepositoryName(ref, options.naming);
  const wanted = pinned || ref.digest || ref.tag;
  if (!wanted)
    throw new KubePkgError('INVALID_KUBEPKG', `Image "${reference}" has neither tag nor digest.`, {
      subject: reference,
    });
  const signal = options.signal ? { signal: options.signal } : {};
  const entries: DigestMeta[] = [];
  const manifests = new Map<string, Uint8Array>();
  const sources = new Map<string, RepositoryLocation>();
  try {
    const top = await client.getManifest(loc, wanted, signal);
    if (pinned && ref.digest && pinned !== ref.digest) {
      throw new KubePkgError(
        'RESOLVE_FAILED',
        `Image "${reference}" is pinned to ${pinned} but its reference says ${ref.digest}.`,
        {
          subject: reference,
        },
      );
    }
    const parsed = parseManifest(top.bytes, top.mediaType);
    manifests.set(top.digest, top.bytes);
    const tag = ref.tag ? { tag: ref.tag } : {};
    entries.push({
      type: 'manifest',
      digest: top.digest,
      name,
      size: top.size,
      mediaType: parsed.mediaType,
      ...tag,
    });
    const addBlobs = (blobs: Descriptor[]) => {
      for (const blob of blobs) {
        // Non-distributable (foreign) layers are fetched by clients from their URLs, not from a registry.
        if (blob.urls?.length || /nondistributable|foreign/.test(blob.mediaType)) continue;
        entries.push({ type: 'blob', digest: blob.digest, name, size: blob.size, mediaType: blob.mediaType });
        sources.set(blob.digest, loc);
      }
    };
    if (parsed.kind === 'manifest') {
      addBlobs(manifestBlobs(parsed));
    } else {
      const children = selectIndexChildren(parsed.manifests, {
        platforms: options.platforms,
        includeAttestations: options.attestations ?? false,
      });
      if (children.length === 0) {
        throw new KubePkgError(
          'RESOLVE_FAILED',
          `Image "${reference}" has no manifest for the requested platforms.`,
          {
            subject: reference,
          },
        );
      }
      for (const child of children) {
        const fetched = await client.getManifest(loc, child.digest, signal);
        const childParsed = parseManifest(fetched.bytes, fetched.mediaType);
        if (childParsed.kind !== 'manifest') {
          throw new KubePkgError(
            'RESOLVE_FAILED',
            `Image "${reference}": nested indexes are not supported.`,
            { subject: reference },
          );
        }
        manifests.set(fetched.digest, fetched.bytes);
        entries.push({
          type: 'manifest',
          digest: fetched.digest,
          name,
          size: fetched.size,
          mediaType: childParsed.mediaType,
          ...(child.platform ? { platform: formatPlatform(child.platform) } : {}),
        });
        addBlobs(manifestBlobs(childParsed));
      }
    }
    return { reference, digest: top.digest, entries, manifests, sources };
  } catch (error) {
    if (error instanceof KubePkgError) throw error;
    throw new KubePkgError(
      'RESOLVE_FAILED',
      `Could not resolve image "${reference}": ${(error as Error).message}`,
      {
        subject: reference,
        cause: error,
      },
    );
  }
}

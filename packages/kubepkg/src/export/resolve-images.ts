import { type ImageReference, isHubError, mustParseImageReference } from '@hub/api-types';
import { keptHostRepository, type ResolvedManifest, resolveImageContent } from '@hub/image-save';
import { formatPlatform, type PlatformSpec } from '@hub/image-save/platform';
import type { RegistryClient, RepositoryLocation } from '@hub/image-save/registry';
import { isKubePkgError, KubePkgError } from '../errors.ts';
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
  const entries: DigestMeta[] = [];
  const manifests = new Map<string, Uint8Array>();
  const sources = new Map<string, RepositoryLocation>();
  try {
    if (pinned && ref.digest && pinned !== ref.digest) {
      throw new KubePkgError(
        'RESOLVE_FAILED',
        `Image "${reference}" is pinned to ${pinned} but its reference says ${ref.digest}.`,
        { subject: reference },
      );
    }
    // The one resolution path shared with hub-save (platform choice, foreign-layer rule).
    const { top, children } = await resolveImageContent(client, loc, wanted, {
      platforms: options.platforms,
      includeAttestations: options.attestations ?? false,
      reference,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const addManifest = (m: ResolvedManifest, extra: Partial<DigestMeta>) => {
      manifests.set(m.digest, m.bytes);
      entries.push({
        type: 'manifest',
        digest: m.digest,
        name,
        size: m.size,
        mediaType: m.mediaType,
        ...extra,
      });
      for (const blob of m.blobs) {
        entries.push({ type: 'blob', digest: blob.digest, name, size: blob.size, mediaType: blob.mediaType });
        sources.set(blob.digest, loc);
      }
    };
    addManifest(top, ref.tag ? { tag: ref.tag } : {});
    for (const child of children)
      addManifest(child, child.platform ? { platform: formatPlatform(child.platform) } : {});
    return { reference, digest: top.digest, entries, manifests, sources };
  } catch (error) {
    if (isKubePkgError(error)) throw error;
    // Name the image once: the shared resolver's own messages already start with it.
    const detail = String((error as Error).message).replace(`${reference}: `, '');
    throw new KubePkgError('RESOLVE_FAILED', `Could not resolve image "${reference}": ${detail}`, {
      subject: reference,
      cause: error,
      retryable: isHubError(error) && error.retryable,
    });
  }
}

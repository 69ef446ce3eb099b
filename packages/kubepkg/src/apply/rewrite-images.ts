import { mustParseImageReference } from '@hub/api-types';
import { storedRepositoryName } from '../export/resolve-images.ts';
import { containersOf, podSpecsOf } from '../manifests/pod-specs.ts';

/**
 * Rewrites every pod-template image of `manifest` (in place) to `<registry>/<stored repository>`,
 * pinned by digest when `images` has one (`@sha256:…`), else by tag. The repository is the one the
 * package's `status.digests` stores that digest under (`repositories`: digest → name), which is what an
 * import wrote, whoever exported it (octohelm kubepkg keeps `docker.io/...`); without an entry, the name
 * export would give it (see `keepHost`).
 */
export function rewriteImages(
  manifest: unknown,
  registry: string,
  images: Readonly<Record<string, string>>,
  options: { keepHost?: boolean; repositories?: ReadonlyMap<string, string> } = {},
): void {
  for (const spec of podSpecsOf(manifest)) {
    for (const container of containersOf(spec)) {
      if (typeof container.image !== 'string') continue;
      const ref = mustParseImageReference(container.image);
      const digest = images[container.image] || ref.digest;
      const repository =
        (digest ? options.repositories?.get(digest) : undefined) ??
        storedRepositoryName(ref, options.keepHost ? { keepHost: true } : {});
      container.image = digest
        ? `${registry}/${repository}@${digest}`
        : `${registry}/${repository}:${ref.tag ?? 'latest'}`;
    }
  }
}

import { mustParseImageReference } from '@hub/api-types';
import { storedRepositoryName } from '../export/resolve-images.ts';
import { containersOf, podSpecsOf } from '../manifests/pod-specs.ts';

/**
 * Rewrites every pod-template image of `manifest` (in place) to `<registry>/<stored repository>`,
 * pinned by digest when `images` has one (`@sha256:…`), else by tag; the names match what an import
 * into that registry stored (see `keepHost`).
 */
export function rewriteImages(
  manifest: unknown,
  registry: string,
  images: Readonly<Record<string, string>>,
  options: { keepHost?: boolean } = {},
): void {
  for (const spec of podSpecsOf(manifest)) {
    for (const container of containersOf(spec)) {
      if (typeof container.image !== 'string') continue;
      const ref = mustParseImageReference(container.image);
      const digest = images[container.image] || ref.digest;
      const repository = storedRepositoryName(ref, options);
      container.image = digest
        ? `${registry}/${repository}@${digest}`
        : `${registry}/${repository}:${ref.tag ?? 'latest'}`;
    }
  }
}

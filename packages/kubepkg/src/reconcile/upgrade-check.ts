import type { Inventory } from '../apply/inventory.ts';
import { compareVersions } from './version-order.ts';

/** Annotation on a KubePkg that lets a lower `spec.version` replace the applied one (`"true"`). */
export const ALLOW_DOWNGRADE_ANNOTATION = 'octohelm.tech/kubepkg-allow-downgrade';

/** Why an apply is refused before anything is written. */
export interface UpgradeRefusal {
  reason: 'DowngradeRefused' | 'ContentChanged';
  message: string;
}

/**
 * The upgrade rule shared by `kubepkg apply` and the controller: a version lower than the applied one is refused
 * unless allowed, and the applied version again with other content (a different digest) is refused always, since
 * a version names one content. An installation without a record, or a record without a digest, passes.
 */
export function checkUpgrade(
  applied: Pick<Inventory, 'version' | 'contentDigest'> | undefined,
  next: { version: string; contentDigest: string },
  options: { allowDowngrade?: boolean } = {},
): UpgradeRefusal | undefined {
  if (!applied?.version) return undefined;
  const order = compareVersions(next.version, applied.version);
  if (order < 0 && !options.allowDowngrade) {
    return {
      reason: 'DowngradeRefused',
      message: `spec.version ${next.version} is lower than the applied version ${applied.version}; set the annotation ${ALLOW_DOWNGRADE_ANNOTATION}: "true" (kubepkg apply --allow-downgrade) to go back.`,
    };
  }
  if (order === 0 && applied.contentDigest && applied.contentDigest !== next.contentDigest) {
    return {
      reason: 'ContentChanged',
      message: `version ${next.version} is applied already with other content (${applied.contentDigest}, now ${next.contentDigest}); give the changed package a new spec.version.`,
    };
  }
  return undefined;
}

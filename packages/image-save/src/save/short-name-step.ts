import type { PlannedImage, SaveContext } from './save-context.ts';
import { SaveError } from './save-error.ts';

/**
 * Before anything is fetched: refuse a Docker Hub official image whose short name (`mysql`) the directory
 * already holds from another registry, and an image of another registry saved as a one-component
 * repository that is a recorded Docker Hub short name here. Either would mix two registries' tags.
 */
export async function checkShortName(ctx: SaveContext, p: PlannedImage): Promise<void> {
  const { shortNames } = ctx;
  if (p.shortName !== undefined) {
    if ((await shortNames.state(p.shortName, p.repository)) !== 'taken') return;
    throw new SaveError(
      'REPOSITORY_COLLISION',
      `${p.input}: a Docker Hub image is also saved as its short name ${p.shortName}, but ${shortNames.storage.root} already has a repository ${p.shortName} that is not ${p.repository} (saved from another registry); pass keepRegistryHost (--keep-registry-host), or save into another directory`,
      { reference: p.input },
    );
  }
  if (p.repository.includes('/')) return;
  const recorded = await shortNames.recorded(p.repository);
  if (recorded === undefined) return;
  throw new SaveError(
    'REPOSITORY_COLLISION',
    `${p.input}: ${p.repository} is the Docker Hub short name of ${recorded} in ${shortNames.storage.root}; pass keepRegistryHost (--keep-registry-host) to keep the registry host in repository paths`,
    { reference: p.input },
  );
}

/** Once the image is saved (or found up to date): its short name gets the repository's links and tags. */
export async function linkShortName(ctx: SaveContext, p: PlannedImage): Promise<void> {
  if (p.shortName !== undefined) await ctx.shortNames.link(p.shortName, p.repository);
}

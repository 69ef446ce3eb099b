import {
  type Image,
  imageMetadataName,
  LABEL_ORGANIZATION,
  labelValue,
  parseImageHubName,
  parseRepositoryName,
  type Repository,
  repositoryMetadataName,
} from '@hub/api-types';
import type { CacheView } from '../client.ts';
import { specNameOf } from './object-refs.ts';

/**
 * The cached Images or Repositories of `organization`: found by label, confirmed by `spec.name` (a
 * shortened label value, or a hand-set label, could name another organization) and by the
 * metadata.name derived from it (an object with another name is never listed in the organization).
 */
export function organizationObjects(
  cache: CacheView,
  kind: 'Image' | 'Repository',
  organization: string,
): (Image | Repository)[] {
  const selector = { [LABEL_ORGANIZATION]: labelValue(organization).value };
  const objects: readonly (Image | Repository)[] = cache.list(kind, selector);
  return objects.filter((object) => {
    const specName = specNameOf(object);
    if (specName === undefined) return false;
    if (kind === 'Image') {
      const parsed = parseImageHubName(specName);
      return (
        parsed.success &&
        parsed.data.organization === organization &&
        object.metadata.name === imageMetadataName(parsed.data)
      );
    }
    const parsed = parseRepositoryName(specName);
    return (
      parsed.success &&
      parsed.data.organization === organization &&
      object.metadata.name === repositoryMetadataName(parsed.data)
    );
  });
}

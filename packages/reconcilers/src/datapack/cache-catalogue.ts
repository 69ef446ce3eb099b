import {
  type Image,
  imageMetadataName,
  KEYWORD_LABEL_PREFIX,
  LABEL_ORGANIZATION,
  LABEL_REPOSITORY,
  labelValue,
  organizationMetadataName,
  parseImageHubName,
  parseRepositoryName,
  type Repository,
  repositoryMetadataName,
} from '@hub/api-types';
import type { CatalogueReader, RepositoryFilter } from '@hub/datapack';
import type { CacheView } from '../client.ts';

function safe<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch {
    return undefined; // a name that has no metadata name (invalid) has no object either
  }
}

/**
 * The controller's informer cache seen as a {@link CatalogueReader}, so the DataPack reconciler runs
 * the same `computeDataPack` as direct mode. Lookups go by the derived metadata.name and are
 * confirmed by `spec.name`, falling back to a label list for objects written under another name.
 */
export function cacheCatalogue(cache: CacheView): CatalogueReader {
  function images(repository: string): Image[] {
    const parsed = parseRepositoryName(repository);
    if (!parsed.success) return [];
    const selector = {
      [LABEL_ORGANIZATION]: labelValue(parsed.data.organization).value,
      [LABEL_REPOSITORY]: labelValue(parsed.data.repository).value,
    };
    return cache.list('Image', selector).filter((image) => {
      if (image.metadata.deletionTimestamp) return false;
      const name = parseImageHubName(image.spec.name);
      return name.success && `${name.data.organization}/${name.data.repository}` === repository;
    });
  }

  return {
    revision: 0,
    image(name) {
      const meta = safe(() => imageMetadataName(name));
      const direct = meta === undefined ? undefined : cache.get('Image', meta);
      if (direct !== undefined && direct.spec.name === name && !direct.metadata.deletionTimestamp)
        return direct;
      const parsed = parseImageHubName(name);
      if (!parsed.success) return undefined;
      return images(`${parsed.data.organization}/${parsed.data.repository}`)
        .filter((image) => image.spec.name === name)
        .sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))[0];
    },
    repository(name) {
      const meta = safe(() => repositoryMetadataName(name));
      const direct = meta === undefined ? undefined : cache.get('Repository', meta);
      if (direct !== undefined && direct.spec.name === name) return direct;
      return cache.list('Repository').find((repository) => repository.spec.name === name);
    },
    organization(name) {
      const meta = safe(() => organizationMetadataName(name));
      const direct = meta === undefined ? undefined : cache.get('Organization', meta);
      // Its defaultPrivate decides the visibility of repositories with no Repository object, so only
      // the object under the derived name counts, and only when spec.name confirms it.
      return direct?.spec.name === name ? direct : undefined;
    },
    repositories(filter: RepositoryFilter = {}): Repository[] {
      const selector: Record<string, string> = {};
      if (filter.organization !== undefined)
        selector[LABEL_ORGANIZATION] = labelValue(filter.organization).value;
      return cache
        .list('Repository', selector)
        .filter(
          (repository) =>
            filter.organization === undefined || repository.spec.name.startsWith(`${filter.organization}/`),
        )
        .filter(
          (repository) =>
            filter.keyword === undefined ||
            Object.keys(repository.metadata.labels ?? {}).some(
              (key) => key.toLowerCase() === `${KEYWORD_LABEL_PREFIX}${filter.keyword}`.toLowerCase(),
            ),
        )
        .sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
    },
    images,
    keywords(repository) {
      const labels = this.repository(repository)?.metadata.labels ?? {};
      return Object.keys(labels)
        .filter((key) => key.startsWith(KEYWORD_LABEL_PREFIX))
        .map((key) => key.slice(KEYWORD_LABEL_PREFIX.length));
    },
  };
}

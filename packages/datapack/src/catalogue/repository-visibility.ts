import { isRepositoryPrivate } from '@hub/api-types/access';
import type { CatalogueReader } from './catalogue-reader.ts';

/**
 * Decides which private repositories one caller may see (`org/repo` and its organization): what
 * the handler's `authorize` returns, and what the direct client, search and `computeDataPack` take.
 */
export type RepositoryAccess = (repository: { name: string; organization: string }) => boolean;

/** Whether one caller sees the repository `org/repo`. */
export type RepositoryVisibility = (repository: string) => boolean;

/**
 * The one visibility rule of @hub/datapack: a repository is visible when it is not private by
 * `isRepositoryPrivate` (`@hub/api-types/access`: a Repository object decides with `spec.isPrivate`;
 * without one, the Organization's `spec.defaultPrivate`, private when unset or missing), or when
 * `access` admits it. Without `access`, private repositories are invisible.
 */
export function repositoryVisibility(
  catalogue: CatalogueReader,
  access?: RepositoryAccess | undefined,
): RepositoryVisibility {
  return (name) => {
    const slash = name.indexOf('/');
    if (slash <= 0 || slash === name.length - 1) return false;
    const organization = name.slice(0, slash);
    // spec.name is the truth: an object another reader filed under this name decides nothing.
    const repositoryObject = catalogue.repository(name);
    const organizationObject = catalogue.organization(organization);
    const isPrivate = isRepositoryPrivate(
      repositoryObject?.spec.name === name ? repositoryObject : undefined,
      organizationObject?.spec.name === organization ? organizationObject : undefined,
    );
    return !isPrivate || (access?.({ name, organization }) ?? false);
  };
}

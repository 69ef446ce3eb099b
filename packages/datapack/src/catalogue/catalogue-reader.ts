import type { Image, Organization, Repository } from '@hub/api-types';

/** The catalogue kinds a DataPack reads. */
export type CatalogueObject = Image | Repository | Organization;
export type CatalogueObjectKind = CatalogueObject['kind'];

/** Narrows a repository listing. Both filters AND. */
export interface RepositoryFilter {
  /** Organization name (`spec.name` of the Organization, the `org` of `org/repo`). */
  organization?: string | undefined;
  /** A keyword, matched case-insensitively against the repository's keywords. */
  keyword?: string | undefined;
}

/**
 * A synchronous, read-only view of Images, Repositories and Organizations, looked up by their
 * `spec.name` (never by `metadata.name`, which is derived). Objects are shared: never mutate them.
 */
export interface CatalogueReader {
  /** Increases on every change; handlers derive ETags from it. */
  readonly revision: number;
  /** The Image whose `spec.name` is `org/repo:tag`. */
  image(name: string): Image | undefined;
  /** The Repository whose `spec.name` is `org/repo`. */
  repository(name: string): Repository | undefined;
  /** The Organization whose `spec.name` is `org`. */
  organization(name: string): Organization | undefined;
  /** Repositories, sorted by `spec.name`, optionally filtered through the indexes. */
  repositories(filter?: RepositoryFilter): readonly Repository[];
  /** The Images of `org/repo`, in no particular order. */
  images(repository: string): readonly Image[];
  /** The keywords a repository is indexed under (labels plus its latest Image's keywords). */
  keywords(repository: string): readonly string[];
}

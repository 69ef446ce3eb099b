import type { Repository, TagData } from '@hub/api-types';
import { isRepositoryPrivate } from '@hub/api-types/access';
import type { CatalogueReader } from '../catalogue/catalogue-reader.ts';
import { latestTagOf, repositoryTags } from '../catalogue/tags.ts';

/** One repository in a listing. */
export interface RepositoryItem {
  /** `org/repo`. */
  name: string;
  organization: string;
  latestTag: TagData | null;
  tagCount: number;
  icon: string | null;
  description: string | null;
  keywords: string[];
  isPrivate: boolean;
  /** Pulls counted by the registry token server (`status.downloadCount`), 0 until counted. */
  downloadCount: number;
  /** RFC 3339: the latest tag's creation time, or the repository's creation when it has no tag. */
  updated: string | null;
}

/** One tag on a repository page: its TagData plus what its Image says about pulling it. */
export interface RepositoryTag extends TagData {
  /** The digest to pull by (`org/repo@sha256:…`), when hub-index recorded it. */
  digest?: string;
  /** `os/arch[/variant]` of every platform the tag serves. */
  platforms?: string[];
}

/** A repository with its README and every tag, newest first. */
export interface RepositoryDetail extends RepositoryItem {
  docs: string | null;
  tags: RepositoryTag[];
}

function organizationOf(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}

/** The listing item of a repository, read from the catalogue (icon etc. from its latest tag's Image). */
export function repositoryItem(repository: Repository, catalogue: CatalogueReader): RepositoryItem {
  const name = repository.spec.name;
  const images = catalogue.images(name);
  const latestTag = latestTagOf(repository, images);
  const latestImage = latestTag === null ? undefined : catalogue.image(`${name}:${latestTag.name}`);
  const detail = latestImage?.spec.detail;
  const tagCount = repository.status?.tags?.length || images.length;
  const organization = organizationOf(name);
  return {
    name,
    organization,
    latestTag,
    tagCount,
    // Edits made in the hub (Repository spec overrides) win over what hub-index wrote on the Image.
    icon: repository.spec.icon ?? detail?.icon ?? null,
    description: repository.spec.description ?? detail?.description ?? null,
    keywords: [...catalogue.keywords(name)],
    // The access rule's reading of the flag (a value that is not a boolean counts as private).
    isPrivate: isRepositoryPrivate(repository, catalogue.organization(organization)),
    downloadCount: repository.status?.downloadCount ?? 0,
    updated: latestTag?.creatTime ?? repository.metadata.creationTimestamp ?? null,
  };
}

/** The README a repository shows: its override, else the latest tag's. */
export function repositoryDocs(repository: Repository, catalogue: CatalogueReader): string | null {
  if (repository.spec.docs !== undefined) return repository.spec.docs;
  const name = repository.spec.name;
  const latest = latestTagOf(repository, catalogue.images(name));
  return latest === null ? null : (catalogue.image(`${name}:${latest.name}`)?.spec.detail.docs ?? null);
}

/** The detail of a repository: its item plus the latest tag's README and every tag. */
export function repositoryDetail(repository: Repository, catalogue: CatalogueReader): RepositoryDetail {
  const item = repositoryItem(repository, catalogue);
  return {
    ...item,
    docs: repositoryDocs(repository, catalogue),
    tags: repositoryTags(repository, catalogue.images(item.name)).map((tag) => {
      const image = catalogue.image(`${item.name}:${tag.name}`);
      const detail = image?.spec.detail;
      const pushTime = tag.pushTime ?? image?.metadata.creationTimestamp ?? undefined;
      return {
        ...tag,
        ...(pushTime === undefined ? {} : { pushTime }),
        ...(detail?.digest === undefined ? {} : { digest: detail.digest }),
        ...(detail?.platforms === undefined
          ? detail?.arch === undefined
            ? {}
            : { platforms: [`linux/${detail.arch}`] }
          : { platforms: [...detail.platforms] }),
      };
    }),
  };
}

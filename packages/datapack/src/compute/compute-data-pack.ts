import {
  DATA_PACK_CODES,
  DATA_PACK_TYPES,
  type DataPackCode,
  type DataPackData,
  type DataPackType,
  type Image,
  parseImageHubName,
  type Repository,
} from '@hub/api-types';
import type { CatalogueReader } from '../catalogue/catalogue-reader.ts';
import { type RepositoryAccess, repositoryVisibility } from '../catalogue/repository-visibility.ts';
import { repositoryTags } from '../catalogue/tags.ts';
import { fitDocs } from './fit-docs.ts';

/** What {@link computeDataPack} reads of a DataPack spec (`expireTime` does not change the content). */
export interface DataPackRequest {
  type?: string | undefined;
  names: readonly string[];
}

/** The content of a DataPack: what `status` holds, and what both client modes return. */
export interface DataPackResult {
  /** 1 OK, or 3 ERROR (some name did not resolve, or the request is invalid). */
  codes: DataPackCode;
  /** By requested name; names that resolved are present even when `codes` is ERROR. */
  datas: Record<string, DataPackData>;
  /** Why `codes` is ERROR: names every missing or invalid name. */
  message?: string;
}

export interface ComputeDataPackOptions {
  /**
   * Admits private repositories for this caller (the handler's `authorize` result). Without it,
   * private repositories and their Images count as missing, exactly like names that do not exist.
   */
  access?: RepositoryAccess | undefined;
}

function isDataPackType(value: string): value is DataPackType {
  return (DATA_PACK_TYPES as readonly string[]).includes(value);
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ');
}

function dataOf(
  type: DataPackType,
  name: string,
  repoName: string,
  image: Image,
  repository: Repository | undefined,
  catalogue: CatalogueReader,
): DataPackData {
  // A repository's hub edits (spec overrides) apply to every tag, ahead of what hub-index wrote.
  const override = repository?.spec.name === repoName ? repository.spec : undefined;
  const detail = {
    ...image.spec.detail,
    ...(override?.icon === undefined ? {} : { icon: override.icon }),
    ...(override?.description === undefined ? {} : { description: override.description }),
    ...(override?.keywords === undefined ? {} : { keywords: override.keywords }),
    ...(override?.docs === undefined ? {} : { docs: override.docs }),
  };
  const data: DataPackData = { name };
  if (image.spec.type !== undefined) data.type = image.spec.type;
  if (type === 'base') return data;
  // grid: the original dropped downloadCount here and left repoName empty; both are filled.
  data.repoName = repoName;
  if (detail.icon !== undefined) data.icon = detail.icon;
  // The original declared authorIcon and never filled it; it is the Organization's icon. `rating` stays
  // reserved: nothing rates repositories, so it is never written.
  const authorIcon = catalogue.organization(repoName.slice(0, repoName.indexOf('/')))?.spec.icon;
  if (authorIcon !== undefined) data.authorIcon = authorIcon;
  data.keywords = [...(detail.keywords ?? [])];
  if (detail.size !== undefined) data.size = detail.size;
  if (detail.description !== undefined) data.description = detail.description;
  data.downloadCount = repository?.status?.downloadCount ?? 0;
  if (type === 'grid') return data;
  if (detail.ID !== undefined) data.ID = detail.ID;
  if (detail.arch !== undefined) data.arch = detail.arch;
  if (detail.docs !== undefined) data.docs = detail.docs;
  if (detail.url !== undefined) data.URL = detail.url;
  data.tags = repositoryTags(repository, catalogue.images(repoName));
  return data;
}

/**
 * Computes a DataPack's `datas` from the catalogue, purely (no I/O, no clock). Every name must be
 * an `org/repo:tag` whose Image exists in a repository the caller sees (`repositoryVisibility`:
 * private ones only through `options.access`); otherwise the result is ERROR with a message naming
 * each missing or invalid name, and `datas` still holds the names that resolved (the original
 * silently returned `{}` for them). Duplicate names are gathered once.
 */
export function computeDataPack(
  spec: DataPackRequest,
  catalogue: CatalogueReader,
  options: ComputeDataPackOptions = {},
): DataPackResult {
  const type = spec.type ?? 'base';
  if (!isDataPackType(type)) {
    return {
      codes: DATA_PACK_CODES.ERROR,
      datas: {},
      message: `spec.type ${JSON.stringify(type)} is not a DataPack type: use base, grid or detail.`,
    };
  }
  const datas: Record<string, DataPackData> = {};
  const invalid: string[] = [];
  const missing: string[] = [];
  const visible = repositoryVisibility(catalogue, options.access);
  for (const name of new Set(spec.names)) {
    const parsed = parseImageHubName(name);
    if (!parsed.success) {
      invalid.push(name);
      continue;
    }
    const repoName = `${parsed.data.organization}/${parsed.data.repository}`;
    const image = catalogue.image(name);
    const repository = catalogue.repository(repoName);
    // A hidden name is reported like a missing one, so a pack never tells that it exists.
    if (image === undefined || !visible(repoName)) {
      missing.push(name);
      continue;
    }
    datas[name] = dataOf(type, name, repoName, image, repository, catalogue);
  }
  // READMEs share one budget, so a pack of 1,000 detail names cannot reach hundreds of MB.
  fitDocs(datas);
  const problems: string[] = [];
  if (missing.length > 0) {
    problems.push(`${missing.length === 1 ? 'image' : 'images'} not found: ${quoteList(missing)}`);
  }
  if (invalid.length > 0) {
    problems.push(`not imagehub names (org/repo:tag): ${quoteList(invalid)}`);
  }
  if (problems.length === 0) return { codes: DATA_PACK_CODES.OK, datas };
  return { codes: DATA_PACK_CODES.ERROR, datas, message: `${problems.join('; ')}.` };
}

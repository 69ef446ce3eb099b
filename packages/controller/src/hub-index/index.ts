// Public API of hub-index, re-exported from @hub/controller.
export { catalogueName, DEFAULT_ORGANIZATION } from './catalogue-name.ts';
export { isUpToDate, type LiveImage, ownedFields } from './image-diff.ts';
export {
  type BuildImageInput,
  buildIndexedImage,
  DIGEST_ANNOTATION,
  INDEX_FIELD_MANAGER,
  INDEXED_DETAIL_FIELDS,
  type IndexedImage,
  MANAGED_BY_LABEL,
  type MetadataConfig,
  parseMetadataConfig,
  SOURCE_ANNOTATION,
} from './image-object.ts';
export { createImageStore, type ImageStore } from './image-store.ts';
export { IndexError, type IndexErrorCode, isIndexError } from './index-error.ts';
export {
  type ImageIndexResult,
  type ImageIndexStatus,
  type IndexEvent,
  type IndexImagesOptions,
  type IndexImagesResult,
  type IndexSummary,
  indexImages,
} from './index-images.ts';
export { type IndexSource, type IndexTarget, listTargets } from './index-sources.ts';
export { type ReadmeOverrides, readmeFor, readReadmeOverrides } from './readme-overrides.ts';
export { matchesAny, repositoryGlob } from './repository-glob.ts';
export { HUB_INDEX_HELP, type HubIndexIo, runHubIndexCli } from './run-cli.ts';

// Public API of @hub/api-types. Hand-written: every export is deliberate.

export type { CliIo } from './cli/cli-io.ts';
export { buildCustomResourceDefinitions, IMAGEHUB_CATEGORY } from './crd/custom-resource-definitions.ts';
export { zodToStructuralSchema } from './crd/structural-schema.ts';
export type {
  CustomResourceColumnDefinition,
  CustomResourceDefinition,
  JSONSchemaProps,
} from './crd/types.ts';
export { GO_DURATION_SOURCE, parseGoDuration } from './duration/go-duration.ts';
// The /errors subpath whole: the shared error base.
export * from './errors/index.ts';
export { ApiTypesError, type ApiTypesErrorCode, isApiTypesError } from './errors.ts';
export {
  type DataPackNameInput,
  type DataPackNameMode,
  dataPackName,
  dataPackSpecHash,
  legacyDataPackHash,
} from './naming/data-pack-name.ts';
export {
  classifyKeywords,
  IMAGE_HUB_KEYWORDS,
  type ImageHubKeyword,
  isImageHubKeyword,
  type KeywordClassification,
  lookupKeyword,
  UI_KEYWORDS,
} from './naming/keywords.ts';
export {
  ANNOTATION_REQUESTER,
  FINALIZER_IMAGE,
  FINALIZER_ORGANIZATION,
  FINALIZER_REPOSITORY,
  imageHubLabelSelector,
  imageLabels,
  isValidLabelValue,
  KEYWORD_LABEL_PREFIX,
  keywordLabelKey,
  LABEL_HASH_LENGTH,
  LABEL_ORGANIZATION,
  LABEL_REPOSITORY,
  LABEL_TAG,
  LABEL_VALUE_MAX,
  type LabelsAndAnnotations,
  type LabelValue,
  labelValue,
  repositoryLabels,
} from './naming/labels.ts';
export { ICON_MAX_LENGTH, README_MAX_BYTES } from './naming/limits.ts';
export {
  imageMetadataName,
  isValidMetadataName,
  METADATA_NAME_MAX,
  NAME_HASH_LENGTH,
  organizationMetadataName,
  repositoryMetadataName,
} from './naming/metadata-name.ts';
export { truncateUtf8 } from './naming/truncate-utf8.ts';
// The /reference subpath whole: the reference and imagehub-name grammar, ImageReferenceError and Result.
export * from './reference/index.ts';
export {
  DATA_PACK_CODES,
  DATA_PACK_TYPES,
  type DataPack,
  type DataPackCode,
  type DataPackData,
  DataPackDataSchema,
  type DataPackInput,
  type DataPackList,
  DataPackListSchema,
  DataPackSchema,
  type DataPackSpec,
  type DataPackSpecInput,
  DataPackSpecSchema,
  type DataPackStatus,
  DataPackStatusSchema,
  type DataPackType,
  GoDurationSchema,
} from './schema/data-pack.ts';
export {
  IMAGE_TYPES,
  type Image,
  ImageActionSchema,
  type ImageDetail,
  ImageDetailSchema,
  type ImageInput,
  type ImageList,
  ImageListSchema,
  ImageSchema,
  type ImageSpec,
  ImageSpecSchema,
  type ImageStatus,
  ImageStatusSchema,
  type ImageType,
} from './schema/image.ts';
export {
  type Condition,
  ConditionSchema,
  EPOCH,
  IMAGEHUB_API_VERSION,
  IMAGEHUB_GROUP,
  IMAGEHUB_VERSION,
  type ObjectMeta,
  ObjectMetaSchema,
} from './schema/meta.ts';
export { ImageHubNameSchema, RepositoryNameSchema } from './schema/names.ts';
export {
  type Organization,
  type OrganizationInput,
  type OrganizationList,
  OrganizationListSchema,
  OrganizationSchema,
  type OrganizationSpec,
  OrganizationSpecSchema,
  type OrganizationStatus,
  OrganizationStatusSchema,
} from './schema/organization.ts';
export {
  type Repository,
  type RepositoryInput,
  type RepositoryList,
  RepositoryListSchema,
  RepositorySchema,
  type RepositorySpec,
  RepositorySpecSchema,
  type RepositoryStatus,
  RepositoryStatusSchema,
  type TagData,
  TagDataSchema,
} from './schema/repository.ts';
export {
  formatFieldPath,
  formatIssues,
  type ValidationIssue,
  type ValidationResult,
} from './validation/issues.ts';
export {
  type ImageHubObject,
  validateDataPack,
  validateImage,
  validateImageHubObject,
  validateOrganization,
  validateRepository,
} from './validation/validate.ts';

// Public API of @hub/api-types/reference: the image-reference and imagehub-name grammar with its error.
// No zod and no other dependency, so CLIs can parse references without loading the CRD schemas.
export {
  ImageReferenceError,
  type ImageReferenceErrorCode,
  type InputErrorDetails,
  isImageReferenceError,
} from '../errors.ts';
export type { Result } from '../result.ts';
export {
  DEFAULT_TAG,
  DOCKER_HUB,
  IMAGE_HUB_NAME_SOURCE,
  NAME_TOTAL_LENGTH_MAX,
  REPOSITORY_NAME_SOURCE,
} from './grammar.ts';
export {
  formatImageHubName,
  formatRepositoryName,
  type ImageHubName,
  mustParseImageHubName,
  parseImageHubName,
  parseOrganizationName,
  parseRepositoryName,
  type RepositoryName,
} from './image-hub-name.ts';
export {
  type FormatImageReferenceOptions,
  familiarImageName,
  formatImageReference,
  type ImageReference,
  type ImageReferenceResult,
  mustParseImageReference,
  parseImageReference,
} from './image-reference.ts';

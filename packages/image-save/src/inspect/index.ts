// Public API of image inspection, re-exported from the package entry.

export { type LayerCompression, sniffCompression } from './decompress.ts';
export {
  HUB_ICON_LABEL,
  HUB_KEYWORDS_LABEL,
  HUB_TYPE_LABEL,
  type ImageMetadata,
  imageMetadata,
  OCI_ANNOTATIONS,
  parseKeywords,
} from './image-labels.ts';
export {
  InspectError,
  type InspectErrorCode,
  type InspectErrorDetails,
  isInspectError,
} from './inspect-error.ts';
export {
  DEFAULT_INSPECT_PLATFORM,
  DEFAULT_README_MAX_BYTES,
  type ImageFile,
  type ImageInspection,
  type InspectImageOptions,
  inspectImage,
  METADATA_CONFIG_PATH,
  README_PATH,
} from './inspect-image.ts';
export {
  type FoundLayerFile,
  findLayerFiles,
  type WalkLayer,
  type WalkOptions,
  type WalkQuery,
  type WalkResult,
} from './layer-walker.ts';

export * from './inspect/index.ts';
export { keptHostComponent, keptHostRepository } from './kept-host-repository.ts';
export type { SaveEvent, SaveSummary } from './save/events.ts';
export { parseImageList, readImageList } from './save/images-file.ts';
export {
  COSIGN_TAG_SUFFIXES,
  referrerDescriptors,
  referrersFallbackTag,
  referrerTagsOf,
  refersTo,
} from './save/referrers.ts';
export type { SaveErrorCode } from './save/save-error.ts';
export { SaveError } from './save/save-error.ts';
export type { SaveImageResult, SaveImagesOptions, SaveImagesResult } from './save/save-images.ts';
export { SOURCE_INDEX_ANNOTATION, saveImages } from './save/save-images.ts';

import {
  type Image,
  imageMetadataName,
  parseImageHubName,
  type Repository,
  type TagData,
} from '@hub/api-types';

const EPOCH_MS = 0;

function timeOf(tag: TagData): number {
  const ms = tag.creatTime === undefined ? EPOCH_MS : Date.parse(tag.creatTime);
  return Number.isNaN(ms) ? EPOCH_MS : ms;
}

// Numeric runs compare as numbers (v10 after v9), as the Repository controller orders tags.
const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/**
 * Newest first by `creatTime`, then by tag name descending in natural order (v10 before v9), so
 * equal times sort the same way every time; the same order the Repository controller writes.
 */
export function compareTagsNewestFirst(a: TagData, b: TagData): number {
  const byTime = timeOf(b) - timeOf(a);
  if (byTime !== 0) return byTime;
  return natural.compare(b.name, a.name) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
}

/** A TagData from an Image, as the Repository controller writes it. */
export function tagDataOf(image: Image): TagData {
  const parsed = parseImageHubName(image.spec.name);
  const tag: TagData = {
    name: parsed.success ? parsed.data.tag : image.spec.name,
    metaName: image.metadata.name ?? (parsed.success ? imageMetadataName(parsed.data) : image.spec.name),
    creatTime: image.spec.detail.creatTime,
  };
  if (image.spec.detail.size !== undefined) tag.size = image.spec.detail.size;
  const seen = image.metadata.creationTimestamp;
  if (typeof seen === 'string') tag.pushTime = seen;
  return tag;
}

/**
 * The tags of a repository, newest first: `status.tags` when the controller has written them,
 * otherwise derived from the cached Images (a repository not reconciled yet still shows its tags).
 */
export function repositoryTags(repository: Repository | undefined, images: readonly Image[]): TagData[] {
  const stored = repository?.status?.tags;
  const tags = stored !== undefined && stored.length > 0 ? [...stored] : images.map(tagDataOf);
  return tags.sort(compareTagsNewestFirst);
}

/** The latest tag: `status.latestTag` if set, else the newest of {@link repositoryTags}; null when there is none. */
export function latestTagOf(repository: Repository | undefined, images: readonly Image[]): TagData | null {
  const stored = repository?.status?.latestTag;
  if (stored !== undefined && stored !== null) return stored;
  return repositoryTags(repository, images)[0] ?? null;
}

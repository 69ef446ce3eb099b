import type { Image, TagData } from '@hub/api-types';

// Numeric runs compare as numbers (v10 after v9); exact ties fall back to code units, so the order
// is total and never depends on input order.
const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Natural order of tag names: `v9` < `v10`; a total order. */
export function compareTagNamesNaturally(a: string, b: string): number {
  const byCollator = natural.compare(a, b);
  if (byCollator !== 0) return byCollator;
  return a < b ? -1 : a > b ? 1 : 0;
}

function timeOf(creatTime: string | undefined): number {
  const ms = creatTime === undefined ? Number.NaN : Date.parse(creatTime);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Newest `creatTime` first; equal times by tag name descending, in natural order (v10 before v9). */
export function compareTagsNewestFirst(a: TagData, b: TagData): number {
  const byTime = timeOf(b.creatTime) - timeOf(a.creatTime);
  return byTime !== 0 ? byTime : compareTagNamesNaturally(b.name, a.name);
}

/** The `status.tags` entry for one Image of the repository. */
export function tagDataOf(image: Image, tag: string): TagData {
  const detail = image.spec.detail;
  return {
    name: tag,
    ...(image.metadata.name === undefined ? {} : { metaName: image.metadata.name }),
    ...(detail.size === undefined ? {} : { size: detail.size }),
    ...(detail.creatTime === undefined ? {} : { creatTime: detail.creatTime }),
    // When the catalogue first saw this tag: the Image's creation (creatTime is the build's).
    ...(typeof image.metadata.creationTimestamp === 'string'
      ? { pushTime: image.metadata.creationTimestamp }
      : {}),
  };
}

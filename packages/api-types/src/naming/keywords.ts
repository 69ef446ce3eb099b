/** The closed keyword vocabulary (case-sensitive), in the original order. */
export const IMAGE_HUB_KEYWORDS = [
  'Kubernetes',
  'Storage',
  'Network',
  'Database',
  'Monitoring',
  'Logging',
  'Dashboard',
  'MQ',
  'Platform',
  'GPU',
  'GitOps',
] as const;
export type ImageHubKeyword = (typeof IMAGE_HUB_KEYWORDS)[number];

/** The keywords the original store UI offered as filters (the first nine). */
export const UI_KEYWORDS: readonly ImageHubKeyword[] = IMAGE_HUB_KEYWORDS.slice(0, 9);

const BY_LOWER = new Map<string, ImageHubKeyword>(IMAGE_HUB_KEYWORDS.map((k) => [k.toLowerCase(), k]));

/** True for an exact-case vocabulary keyword. */
export function isImageHubKeyword(value: string): value is ImageHubKeyword {
  return (IMAGE_HUB_KEYWORDS as readonly string[]).includes(value);
}

/** The vocabulary keyword matching `value` case-insensitively (`storage` → `Storage`), or undefined. */
export function lookupKeyword(value: string): ImageHubKeyword | undefined {
  return BY_LOWER.get(value.trim().toLowerCase());
}

/** Free keywords split into vocabulary keywords (canonical case, deduplicated, in order) and unknown ones. */
export type KeywordClassification = { known: ImageHubKeyword[]; unknown: string[] };

/**
 * Maps free keywords (e.g. an Image's `detail.keywords`) onto the vocabulary. Unlike the original,
 * which labelled only exact-case matches, `storage` counts as `Storage`; `mysql` is reported unknown.
 */
export function classifyKeywords(values: readonly string[]): KeywordClassification {
  const known: ImageHubKeyword[] = [];
  const unknown: string[] = [];
  for (const value of values) {
    const keyword = lookupKeyword(value);
    if (keyword === undefined) unknown.push(value);
    else if (!known.includes(keyword)) known.push(keyword);
  }
  return { known, unknown };
}

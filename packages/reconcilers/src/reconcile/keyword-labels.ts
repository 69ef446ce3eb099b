import { classifyKeywords, type Image, type ImageHubKeyword, KEYWORD_LABEL_PREFIX } from '@hub/api-types';

/** The vocabulary keywords of the latest tag's Image (case-insensitive match, canonical case). */
export function latestKeywords(latest: Image | undefined): ImageHubKeyword[] {
  const keywords = latest?.spec.detail.keywords;
  return Array.isArray(keywords) ? classifyKeywords(keywords.filter((k) => typeof k === 'string')).known : [];
}

/** Keyword label keys present on an object that are not in `wanted`: to be dropped. */
export function staleKeywordLabels(
  labels: Readonly<Record<string, string>> | undefined,
  wanted: Readonly<Record<string, string>>,
): string[] {
  return Object.keys(labels ?? {}).filter((key) => key.startsWith(KEYWORD_LABEL_PREFIX) && !(key in wanted));
}

import type { ImageHubName, RepositoryName } from '../reference/image-hub-name.ts';
import { sha256Hex } from './hash.ts';
import type { ImageHubKeyword } from './keywords.ts';

/** Label keys of the original, kept for wire compatibility. */
export const LABEL_ORGANIZATION = 'organization.imagehub.sealos.io';
export const LABEL_REPOSITORY = 'repository.imagehub.sealos.io';
export const LABEL_TAG = 'tag.imagehub.sealos.io';
/** Prefix of keyword labels: `keyword.imagehub.sealos.io/<Keyword>: ""`, on Repositories. */
export const KEYWORD_LABEL_PREFIX = 'keyword.imagehub.sealos.io/';
/**
 * Who created an Image or Repository (the AdmissionRequest's `userInfo.username`), recorded by the
 * mutating webhook on create and kept on update. A missing Organization is created with this
 * requester as its creator (first come, first served).
 */
export const ANNOTATION_REQUESTER = 'imagehub.sealos.io/requester';
/** Finalizers of the original (`datapack.hub.sealos.io/finalizer` was never used and is omitted). */
export const FINALIZER_ORGANIZATION = 'organization.imagehub.sealos.io/finalizer';
export const FINALIZER_REPOSITORY = 'repository.imagehub.sealos.io/finalizer';
export const FINALIZER_IMAGE = 'image.imagehub.sealos.io/finalizer';

/** Longest label value Kubernetes accepts. */
export const LABEL_VALUE_MAX = 63;
/** Hex characters of SHA-256 closing an overflowed label value. */
export const LABEL_HASH_LENGTH = 10;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** True when Kubernetes accepts `value` as a label value (≤63, alphanumeric ends). */
export function isValidLabelValue(value: string): boolean {
  return value.length <= LABEL_VALUE_MAX && LABEL_VALUE.test(value);
}

/** A label value derived from some text, and whether it had to be shortened. */
export type LabelValue = { value: string; overflowed: boolean };

/**
 * The label value for `text`. Valid values are used as they are. Others (longer than 63 characters,
 * or starting/ending with `_`, `.`, `-`) become a sanitized prefix of at most 52 characters, `-` and
 * 10 hex of SHA-256 of the full text; callers store the full text in an annotation under the same
 * key (see {@link imageLabels}). Such a value can equal some other literal value, so a selector on
 * it is a candidate filter: confirm with `spec.name`.
 */
export function labelValue(text: string): LabelValue {
  if (isValidLabelValue(text)) return { value: text, overflowed: false };
  const hash = sha256Hex(text).slice(0, LABEL_HASH_LENGTH);
  const prefix = text
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, LABEL_VALUE_MAX - 1 - LABEL_HASH_LENGTH)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
  return { value: prefix.length > 0 ? `${prefix}-${hash}` : hash, overflowed: true };
}

/** Labels to set and annotations holding the full value of each overflowed label. */
export type LabelsAndAnnotations = { labels: Record<string, string>; annotations: Record<string, string> };

function build(entries: readonly (readonly [string, string])[]): LabelsAndAnnotations {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [key, text] of entries) {
    const { value, overflowed } = labelValue(text);
    labels[key] = value;
    if (overflowed) annotations[key] = text;
  }
  return { labels, annotations };
}

/** The organization, repository and tag labels of an Image (the original's mutating webhook set these). */
export function imageLabels(name: ImageHubName): LabelsAndAnnotations {
  return build([
    [LABEL_ORGANIZATION, name.organization],
    [LABEL_REPOSITORY, name.repository],
    [LABEL_TAG, name.tag],
  ]);
}

/** The organization and repository labels of a Repository, plus `keyword.imagehub.sealos.io/<K>: ""`. */
export function repositoryLabels(
  name: RepositoryName,
  keywords: readonly ImageHubKeyword[] = [],
): LabelsAndAnnotations {
  const result = build([
    [LABEL_ORGANIZATION, name.organization],
    [LABEL_REPOSITORY, name.repository],
  ]);
  for (const keyword of keywords) result.labels[keywordLabelKey(keyword)] = '';
  return result;
}

/** `keyword.imagehub.sealos.io/<Keyword>`. */
export function keywordLabelKey(keyword: ImageHubKeyword): string {
  return `${KEYWORD_LABEL_PREFIX}${keyword}`;
}

/**
 * A label selector string matching the given parts (and keyword labels, ANDed), with the same
 * overflow rule as the labels, e.g. `organization.imagehub.sealos.io=labring,repository.imagehub.sealos.io=mysql`.
 */
export function imageHubLabelSelector(
  parts: {
    organization?: string;
    repository?: string;
    tag?: string;
    keywords?: readonly ImageHubKeyword[];
  } = {},
): string {
  const terms: string[] = [];
  if (parts.organization !== undefined)
    terms.push(`${LABEL_ORGANIZATION}=${labelValue(parts.organization).value}`);
  if (parts.repository !== undefined) terms.push(`${LABEL_REPOSITORY}=${labelValue(parts.repository).value}`);
  if (parts.tag !== undefined) terms.push(`${LABEL_TAG}=${labelValue(parts.tag).value}`);
  for (const keyword of parts.keywords ?? []) terms.push(keywordLabelKey(keyword));
  return terms.join(',');
}

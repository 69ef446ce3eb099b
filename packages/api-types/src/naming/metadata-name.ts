import { ImageReferenceError } from '../errors.ts';
import {
  formatImageHubName,
  type ImageHubName,
  parseImageHubName,
  parseRepositoryName,
  type RepositoryName,
} from '../reference/image-hub-name.ts';
import { sha256Hex } from './hash.ts';

/** Longest `metadata.name` (a DNS-1123 subdomain). */
export const METADATA_NAME_MAX = 253;
/** Hex characters of SHA-256 appended to names that cannot be written losslessly (64 bits). */
export const NAME_HASH_LENGTH = 16;
/** Separates a readable prefix from its hash; exact names never contain it. */
const HASH_SEPARATOR = '--';

// A DNS label without "--": exactly what an organization or repository may be in an exact name.
const PLAIN_LABEL = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// Dot-separated plain labels: what a tag (or organization) may be in an exact name.
const PLAIN_DOTTED = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when `value` is a valid `metadata.name` for these kinds (DNS-1123 subdomain, ≤253). */
export function isValidMetadataName(value: string): boolean {
  return value.length > 0 && value.length <= METADATA_NAME_MAX && DNS1123_SUBDOMAIN.test(value);
}

function toHubName(name: ImageHubName | string): ImageHubName {
  if (typeof name !== 'string') return name;
  const parsed = parseImageHubName(name);
  if (!parsed.success) throw parsed.error;
  return parsed.data;
}

function toRepositoryName(name: RepositoryName | string): RepositoryName {
  if (typeof name !== 'string') return name;
  const parsed = parseRepositoryName(name);
  if (!parsed.success) throw parsed.error;
  return parsed.data;
}

// Lower-case, `_` to `-`, then trim every dot-separated label to alphanumeric ends; empty labels go.
function sanitize(part: string): string {
  return part
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .split('.')
    .map((label) => label.replace(/^-+|-+$/g, ''))
    .filter((label) => label.length > 0)
    .join('.');
}

// `<readable prefix>--<hash>`: never equal to an exact name, which has no "--".
function hashedName(parts: readonly string[], identity: string): string {
  const hash = sha256Hex(identity).slice(0, NAME_HASH_LENGTH);
  const budget = METADATA_NAME_MAX - HASH_SEPARATOR.length - NAME_HASH_LENGTH;
  const prefix = parts
    .map(sanitize)
    .filter((part) => part.length > 0)
    .join('.')
    .slice(0, budget)
    .replace(/[^a-z0-9]+$/, '');
  return prefix.length > 0 ? `${prefix}${HASH_SEPARATOR}${hash}` : `h${HASH_SEPARATOR}${hash}`;
}

/**
 * The `metadata.name` of the Image for `org/repo:tag`. Names that the original `org.repo.tag` wrote
 * losslessly keep that form (`labring/mysql:v8.0.25` → `labring.mysql.v8.0.25`); all others
 * (a `.` in org or repo, `_`, upper case in the tag, `--`, too long) become a readable prefix plus
 * `--` and 16 hex of SHA-256 of the full name, so `a.b/c:d` and `a/b.c:d` no longer collide.
 * Throws {@link ImageReferenceError} for a string that is not an imagehub name.
 */
export function imageMetadataName(name: ImageHubName | string): string {
  const { organization, repository, tag } = toHubName(name);
  const exact = `${organization}.${repository}.${tag}`;
  if (
    PLAIN_LABEL.test(organization) &&
    PLAIN_LABEL.test(repository) &&
    PLAIN_DOTTED.test(tag) &&
    exact.length <= METADATA_NAME_MAX
  ) {
    return exact;
  }
  return hashedName([organization, repository, tag], formatImageHubName({ organization, repository, tag }));
}

/**
 * The `metadata.name` of the Repository for `org/repo`: `org.repo` when lossless, otherwise a
 * readable prefix plus `--<hash>` (same rule as {@link imageMetadataName}).
 */
export function repositoryMetadataName(name: RepositoryName | string): string {
  const { organization, repository } = toRepositoryName(name);
  const exact = `${organization}.${repository}`;
  if (PLAIN_LABEL.test(organization) && PLAIN_LABEL.test(repository) && exact.length <= METADATA_NAME_MAX) {
    return exact;
  }
  return hashedName([organization, repository], `${organization}/${repository}`);
}

/**
 * The `metadata.name` of the Organization `org`: the name itself when it is a DNS-1123 subdomain
 * without `--` (the original required metadata.name == spec.name), otherwise prefix plus `--<hash>`.
 */
export function organizationMetadataName(organization: string): string {
  if (organization.length === 0) {
    throw new ImageReferenceError('MISSING_ORGANIZATION', 'The organization name is empty.', {
      input: organization,
    });
  }
  if (
    PLAIN_DOTTED.test(organization) &&
    !organization.includes(HASH_SEPARATOR) &&
    organization.length <= METADATA_NAME_MAX
  ) {
    return organization;
  }
  return hashedName([organization], organization);
}

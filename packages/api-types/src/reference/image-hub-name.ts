import { ImageReferenceError, type ImageReferenceErrorCode } from '../errors.ts';
import type { Result } from '../result.ts';
import { NAME_TOTAL_LENGTH_MAX, PATH_COMPONENT, TAG } from './grammar.ts';

/** The parts of an imagehub name `org/repo:tag` (Image `spec.name`, DataPack `spec.names[]`). */
export type ImageHubName = {
  organization: string;
  repository: string;
  tag: string;
};

/** The parts of an imagehub repository name `org/repo` (Repository `spec.name`). */
export type RepositoryName = {
  organization: string;
  repository: string;
};

const EXAMPLE = 'e.g. labring/mysql:v8.0.31';

function fail<T>(
  code: ImageReferenceErrorCode,
  input: string,
  message: string,
): Result<T, ImageReferenceError> {
  return { success: false, error: new ImageReferenceError(code, message, { input }) };
}

function componentProblem(
  input: string,
  part: string,
  what: 'organization' | 'repository',
): ImageReferenceError | undefined {
  if (part.length === 0) {
    const code = what === 'organization' ? 'MISSING_ORGANIZATION' : 'MISSING_REPOSITORY';
    return new ImageReferenceError(code, `"${input}" has an empty ${what} name; write ${EXAMPLE}.`, {
      input,
    });
  }
  if (part !== part.toLowerCase() && PATH_COMPONENT.test(part.toLowerCase())) {
    return new ImageReferenceError(
      'UPPERCASE',
      `"${input}" has upper-case letters in the ${what} "${part}"; imagehub names are lower case (try "${part.toLowerCase()}").`,
      { input },
    );
  }
  if (!PATH_COMPONENT.test(part)) {
    return new ImageReferenceError(
      what === 'organization' ? 'INVALID_ORGANIZATION' : 'INVALID_REPOSITORY',
      `"${input}" has an invalid ${what} "${part}": use lower-case letters and digits joined by ".", "_", "__" or "-".`,
      { input },
    );
  }
  return undefined;
}

function splitRepository(
  input: string,
  part: string,
  withTag: boolean,
): Result<RepositoryName, ImageReferenceError> {
  const expected = withTag
    ? `<organization>/<repository>:<tag>, ${EXAMPLE}`
    : '<organization>/<repository>, e.g. labring/mysql';
  const segments = part.split('/');
  if (segments.length === 1) {
    return fail('INVALID_FORMAT', input, `"${input}" is not an imagehub name: expected ${expected}.`);
  }
  if (segments.length > 2) {
    const first = segments[0] ?? '';
    const hostLike = first.includes('.') || first.includes(':') || first === 'localhost';
    return hostLike
      ? fail(
          'REGISTRY_NOT_ALLOWED',
          input,
          `"${input}" names a registry; imagehub names are ${expected} without a host.`,
        )
      : fail(
          'TOO_MANY_SEGMENTS',
          input,
          `"${input}" has ${segments.length} path segments; imagehub names are ${expected}.`,
        );
  }
  const [organization = '', repository = ''] = segments;
  const problem =
    componentProblem(input, organization, 'organization') ??
    componentProblem(input, repository, 'repository');
  if (problem !== undefined) return { success: false, error: problem };
  if (part.length > NAME_TOTAL_LENGTH_MAX) {
    return fail(
      'NAME_TOO_LONG',
      input,
      `"${input.slice(0, 64)}…" is too long: organization and repository together may have at most ${NAME_TOTAL_LENGTH_MAX} characters.`,
    );
  }
  return { success: true, data: { organization, repository } };
}

function checkCommon(input: string, withTag: boolean): ImageReferenceError | undefined {
  if (input.length === 0) {
    const what = withTag ? `<organization>/<repository>:<tag>, ${EXAMPLE}` : '<organization>/<repository>';
    return new ImageReferenceError('EMPTY', `The imagehub name is empty; write ${what}.`, { input });
  }
  if (input.includes('@')) {
    return new ImageReferenceError(
      'DIGEST_NOT_ALLOWED',
      `"${input}" has a digest; imagehub names have no "@".`,
      { input },
    );
  }
  return undefined;
}

/**
 * Parses an imagehub name: exactly `<organization>/<repository>:<tag>`, lower-case path components
 * from the docker grammar, no registry, no digest. Stricter than the original `IsLegal`, which let
 * `a/:b` and `/x:y` through to a controller panic. Never throws.
 */
export function parseImageHubName(input: string): Result<ImageHubName, ImageReferenceError> {
  const common = checkCommon(input, true);
  if (common !== undefined) return { success: false, error: common };
  const colon = input.indexOf(':', input.lastIndexOf('/') + 1);
  const repo = splitRepository(input, colon >= 0 ? input.slice(0, colon) : input, true);
  if (!repo.success) return repo;
  const tag = colon >= 0 ? input.slice(colon + 1) : '';
  if (tag.length === 0) {
    return fail(
      'MISSING_TAG',
      input,
      `"${input}" has no tag; write <organization>/<repository>:<tag>, ${EXAMPLE}.`,
    );
  }
  if (!TAG.test(tag)) {
    return fail(
      'INVALID_TAG',
      input,
      `"${input}" has an invalid tag "${tag}": a tag is 1-128 letters, digits, "_", "." or "-" and does not start with "." or "-".`,
    );
  }
  return { success: true, data: { ...repo.data, tag } };
}

/** Like {@link parseImageHubName}, but throws the {@link ImageReferenceError}. */
export function mustParseImageHubName(input: string): ImageHubName {
  const result = parseImageHubName(input);
  if (!result.success) throw result.error;
  return result.data;
}

/** Parses an imagehub repository name, exactly `<organization>/<repository>`. Never throws. */
export function parseRepositoryName(input: string): Result<RepositoryName, ImageReferenceError> {
  const common = checkCommon(input, false);
  if (common !== undefined) return { success: false, error: common };
  if (input.includes(':')) {
    return fail(
      'INVALID_FORMAT',
      input,
      `"${input}" has a ":" (a tag or port); a repository name is <organization>/<repository>, e.g. labring/mysql.`,
    );
  }
  return splitRepository(input, input, false);
}

/**
 * Parses an organization name (Organization `spec.name`, the first part of `org/repo:tag`): one
 * lower-case path component, short enough to leave room for `/<repository>`. Never throws.
 */
export function parseOrganizationName(input: string): Result<string, ImageReferenceError> {
  if (input.length === 0) {
    return fail('MISSING_ORGANIZATION', input, 'The organization name is empty; write e.g. labring.');
  }
  if (input.includes('/') || input.includes(':') || input.includes('@')) {
    return fail(
      'INVALID_FORMAT',
      input,
      `"${input}" is not an organization name: write just the organization, e.g. labring.`,
    );
  }
  const problem = componentProblem(input, input, 'organization');
  if (problem !== undefined) return { success: false, error: problem };
  if (input.length > NAME_TOTAL_LENGTH_MAX - 2) {
    return fail(
      'NAME_TOO_LONG',
      input,
      `"${input.slice(0, 64)}…" is too long: an organization name may have at most ${NAME_TOTAL_LENGTH_MAX - 2} characters.`,
    );
  }
  return { success: true, data: input };
}

/** Writes `org/repo:tag`. */
export function formatImageHubName(name: ImageHubName): string {
  return `${name.organization}/${name.repository}:${name.tag}`;
}

/** Writes `org/repo`. */
export function formatRepositoryName(name: RepositoryName): string {
  return `${name.organization}/${name.repository}`;
}

import { ImageReferenceError, type ImageReferenceErrorCode } from '../errors.ts';
import type { Result } from '../result.ts';
import {
  DEFAULT_TAG,
  DIGEST_HEX_LENGTHS,
  DOCKER_HUB,
  DOCKER_HUB_LIBRARY,
  IMAGE_ID,
  LEGACY_DOCKER_HUB,
  NAME_TOTAL_LENGTH_MAX,
  REGISTRY,
  REPOSITORY_PATH,
  TAG,
} from './grammar.ts';

/**
 * A normalized image reference. `registry` is a lower-case host with an optional port
 * (`docker.io`, `localhost:5000`); `repository` is the path (`library/nginx`). A reference
 * always has a tag or a digest, or both: when both are present the digest identifies the content.
 */
export type ImageReference = {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
};

/** What {@link parseImageReference} returns: never throws. */
export type ImageReferenceResult = Result<ImageReference, ImageReferenceError>;

/** How {@link formatImageReference} writes a reference. */
export type FormatImageReferenceOptions = {
  /** Docker's short form: drop `docker.io/` and `docker.io/library/`. Default false. */
  familiar?: boolean;
  /** Drop the tag when a digest is present (the digest wins when pulling). Default false. */
  dropTagWithDigest?: boolean;
};

function fail(code: ImageReferenceErrorCode, input: string, message: string): ImageReferenceResult {
  return { success: false, error: new ImageReferenceError(code, message, { input }) };
}

/** Checks `algorithm:hex` the way go-digest does: a registered algorithm and its exact lower-case length. */
export function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon <= 0) return 'a digest is written <algorithm>:<hex>, e.g. sha256:<64 hex digits>';
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTHS[algorithm];
  if (length === undefined) {
    return `digest algorithm "${algorithm}" is not supported; use one of ${Object.keys(DIGEST_HEX_LENGTHS).join(', ')}`;
  }
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    return `a ${algorithm} digest has exactly ${length} lower-case hex digits`;
  }
  return undefined;
}

/**
 * Parses a docker image reference (`nginx`, `localhost:5000/a/b:1@sha256:…`) into its normalized
 * parts: Docker Hub names get `docker.io` and `library/`, `index.docker.io` becomes `docker.io`,
 * registries are lower-cased, and a reference without tag or digest gets `latest`.
 * Returns a result and never throws.
 */
export function parseImageReference(input: string): ImageReferenceResult {
  if (input.length === 0) return fail('EMPTY', input, 'The image reference is empty; write e.g. nginx:1.27.');
  if (/\s/.test(input)) {
    return fail('INVALID_FORMAT', input, `Image reference "${input}" contains white space; remove it.`);
  }
  if (IMAGE_ID.test(input)) {
    return fail(
      'AMBIGUOUS_IDENTIFIER',
      input,
      `"${input}" is a 64-hex image ID, not a repository name; refer to content as <name>@sha256:<hex>.`,
    );
  }

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem !== undefined) {
      return fail(
        'INVALID_DIGEST',
        input,
        `Image reference "${input}" has an invalid digest "${digest}": ${problem}.`,
      );
    }
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      return fail(
        'INVALID_TAG',
        input,
        `Image reference "${input}" has an invalid tag "${tag}": a tag is 1-128 letters, digits, "_", "." or "-" and does not start with "." or "-".`,
      );
    }
  }

  if (rest.length === 0) {
    return fail(
      'INVALID_FORMAT',
      input,
      `Image reference "${input}" has no repository name before the tag or digest.`,
    );
  }

  let registry = DOCKER_HUB;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    // Docker's rule: the first segment is a registry only if it looks like a host.
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first.toLowerCase();
      repository = rest.slice(slash + 1);
      if (!REGISTRY.test(first)) {
        return fail(
          'INVALID_REGISTRY',
          input,
          `Image reference "${input}" has an invalid registry "${first}": write a host name or IP with an optional :port.`,
        );
      }
    }
  }
  if (registry === LEGACY_DOCKER_HUB) registry = DOCKER_HUB;

  if (repository !== repository.toLowerCase() && REPOSITORY_PATH.test(repository.toLowerCase())) {
    return fail(
      'UPPERCASE',
      input,
      `Image reference "${input}" has upper-case letters in "${repository}"; repository names must be lower case.`,
    );
  }
  if (!REPOSITORY_PATH.test(repository)) {
    return fail(
      'INVALID_REPOSITORY',
      input,
      `Image reference "${input}" has an invalid repository path "${repository}": use non-empty lower-case segments separated by "/", each made of letters and digits joined by ".", "_", "__" or "-".`,
    );
  }
  if (registry === DOCKER_HUB && !repository.includes('/'))
    repository = `${DOCKER_HUB_LIBRARY}/${repository}`;

  const nameLength = registry.length + 1 + repository.length;
  if (nameLength > NAME_TOTAL_LENGTH_MAX) {
    return fail(
      'NAME_TOO_LONG',
      input,
      `Image reference "${input.slice(0, 64)}…" names a repository of ${nameLength} characters; the limit is ${NAME_TOTAL_LENGTH_MAX} for registry and path together.`,
    );
  }

  const data: ImageReference = { registry, repository };
  if (tag !== undefined) data.tag = tag;
  else if (digest === undefined) data.tag = DEFAULT_TAG;
  if (digest !== undefined) data.digest = digest;
  return { success: true, data };
}

/** Like {@link parseImageReference}, but throws the {@link ImageReferenceError}. */
export function mustParseImageReference(input: string): ImageReference {
  const result = parseImageReference(input);
  if (!result.success) throw result.error;
  return result.data;
}

/**
 * Writes a reference as `registry/repository[:tag][@digest]`; by default the fully qualified form
 * (`docker.io/library/nginx:latest`), which {@link parseImageReference} reads back unchanged.
 */
export function formatImageReference(ref: ImageReference, options: FormatImageReferenceOptions = {}): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (options.familiar === true && ref.registry === DOCKER_HUB) {
    const prefix = `${DOCKER_HUB_LIBRARY}/`;
    const short =
      ref.repository.startsWith(prefix) && !ref.repository.slice(prefix.length).includes('/')
        ? ref.repository.slice(prefix.length)
        : ref.repository;
    // A first segment that looks like a host would be read back as a registry: keep docker.io then.
    const first = short.split('/')[0] ?? '';
    if (!(short.includes('/') && (first.includes('.') || first === 'localhost'))) name = short;
  }
  const keepTag = ref.tag !== undefined && !(options.dropTagWithDigest === true && ref.digest !== undefined);
  return `${name}${keepTag ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/**
 * Docker's short form of a reference, as `docker images` shows it: no `docker.io/` or `library/`,
 * tag and digest kept (`nginx:latest`, `bitnami/redis:7`, `localhost:5000/a/b:1`).
 */
export function familiarImageName(ref: ImageReference): string {
  return formatImageReference(ref, { familiar: true });
}

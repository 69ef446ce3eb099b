// The docker/distribution reference grammar (github.com/distribution/reference, regexp.go), written
// without lookarounds or backreferences so the same sources work in RE2 (Kubernetes CRD `pattern`).

/** One path component: lower-case alphanumerics joined by `.`, `_`, `__` or runs of `-`. */
export const PATH_COMPONENT_SOURCE = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
/** A tag: a word character, then up to 127 word characters, dots or dashes. */
export const TAG_SOURCE = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DOMAIN_COMPONENT_SOURCE = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST_SOURCE = `(?:${DOMAIN_COMPONENT_SOURCE}(?:\\.${DOMAIN_COMPONENT_SOURCE})*|\\[[a-fA-F0-9:]+\\])`;

export const PATH_COMPONENT = new RegExp(`^${PATH_COMPONENT_SOURCE}$`);
export const REPOSITORY_PATH = new RegExp(`^${PATH_COMPONENT_SOURCE}(?:/${PATH_COMPONENT_SOURCE})*$`);
export const TAG = new RegExp(`^${TAG_SOURCE}$`);
export const REGISTRY = new RegExp(`^${HOST_SOURCE}(?::[0-9]+)?$`);
/** Digest algorithms go-digest accepts, with their lower-case hex lengths. */
export const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
/** A 64-hex string is an image ID, never a name (docker refuses it as a repository). */
export const IMAGE_ID = /^[a-f0-9]{64}$/;
/** distribution's NameTotalLengthMax: the registry and path together. */
export const NAME_TOTAL_LENGTH_MAX = 255;

/** Docker Hub as written in normalized references. */
export const DOCKER_HUB = 'docker.io';
/** The legacy Docker Hub host that normalizes to {@link DOCKER_HUB}. */
export const LEGACY_DOCKER_HUB = 'index.docker.io';
/** The implicit namespace of single-segment Docker Hub names. */
export const DOCKER_HUB_LIBRARY = 'library';
/** The tag of a reference that names neither tag nor digest. */
export const DEFAULT_TAG = 'latest';

/**
 * An imagehub name, `<organization>/<repository>:<tag>` (regex source usable in RE2 and JS).
 * Length limits are checked separately.
 */
export const IMAGE_HUB_NAME_SOURCE = `^${PATH_COMPONENT_SOURCE}/${PATH_COMPONENT_SOURCE}:${TAG_SOURCE}$`;
/** An imagehub repository name, `<organization>/<repository>`. */
export const REPOSITORY_NAME_SOURCE = `^${PATH_COMPONENT_SOURCE}/${PATH_COMPONENT_SOURCE}$`;

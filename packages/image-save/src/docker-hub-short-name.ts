// The one rule for Docker Hub short names in a saved directory, shared by hub-save, kubepkg import and
// kubepkg serve: docker pulls `<dir-registry>/mysql:latest`, containerd mirrors ask for `library/mysql`.

/** The registry that image references name Docker Hub by, once normalised. */
export const DOCKER_HUB = 'docker.io';

/**
 * The short name a Docker Hub official image is also served under (`docker.io` + `library/mysql` →
 * `mysql`), or undefined for anything else: other registries, and Docker Hub images of a user
 * (`bitnami/redis`), which have no shorter form.
 */
export function dockerHubShortName(registry: string, repository: string): string | undefined {
  if (registry !== DOCKER_HUB) return undefined;
  const match = /^library\/([^/]+)$/.exec(repository);
  return match ? match[1] : undefined;
}

import { type ImageHubName, parseImageHubName } from '@hub/api-types';
import { IndexError } from './index-error.ts';

/** The organization of one-segment repositories, as on Docker Hub (`nginx` → `library/nginx`). */
export const DEFAULT_ORGANIZATION = 'library';

/**
 * The catalogue name `org/repo:tag` of a registry repository and tag: the registry host is never
 * part of it, and a one-segment repository goes under `library`. Deeper paths (`a/b/c`) have no
 * `org/repo` form and are refused.
 */
export function catalogueName(repository: string, tag: string): ImageHubName {
  const segments = repository.split('/');
  if (segments.length > 2)
    throw new IndexError(
      'NOT_CATALOGUABLE',
      `${repository}:${tag} has ${segments.length} path segments; the catalogue names images org/repo:tag, so only one- and two-segment repositories can be indexed (narrow --repository).`,
      { reference: `${repository}:${tag}` },
    );
  const name =
    segments.length === 1 ? `${DEFAULT_ORGANIZATION}/${repository}:${tag}` : `${repository}:${tag}`;
  const parsed = parseImageHubName(name);
  if (!parsed.success)
    throw new IndexError(
      'NOT_CATALOGUABLE',
      `${repository}:${tag} is not a catalogue name: ${parsed.error.message}`,
      {
        reference: `${repository}:${tag}`,
        cause: parsed.error,
      },
    );
  return parsed.data;
}

/**
 * The repositories to catalogue, each catalogue name once: a one-segment repository whose `library/` form is
 * listed too (`mysql` beside `library/mysql`, the Docker Hub short name hub-save and kubepkg link) names the
 * same Images, so only the `library/` one is read.
 */
export function catalogueRepositories(repositories: readonly string[]): string[] {
  const listed = new Set(repositories);
  return repositories.filter((r) => r.includes('/') || !listed.has(`${DEFAULT_ORGANIZATION}/${r}`));
}

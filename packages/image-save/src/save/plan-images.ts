import { formatImageReference, parseImageReference } from '@hub/api-types/reference';
import { dockerHubShortName } from '../docker-hub-short-name.ts';
import { keptHostRepository } from '../kept-host-repository.ts';
import type { PlannedImage, SaveImageResult } from './save-context.ts';
import { SaveError } from './save-error.ts';

/**
 * Step 1 of `saveImages`: parse every input (deduplicated), name its target repository (and the Docker Hub
 * short name it is also served under), pick where it is fetched from (a mirror of its registry, if any), and
 * refuse two references from different registries that would land on the same `repository:tag`, or on one
 * short name. Every input gets a result; only the valid ones are planned.
 */
export function planImages(
  images: readonly string[],
  keepRegistryHost: boolean,
  mirrors: ReadonlyMap<string, string> = new Map(),
): { planned: PlannedImage[]; results: SaveImageResult[] } {
  const planned: PlannedImage[] = [];
  const results: SaveImageResult[] = [];
  const targets = new Map<string, string>();
  for (const input of [...new Set(images.map((i) => i.trim()).filter((i) => i !== ''))]) {
    const parsed = parseImageReference(input);
    if (!parsed.success) {
      results.push({
        reference: input,
        status: 'failed',
        repository: '',
        // The grammar's message names the input once and says what to fix.
        error: new SaveError('INVALID_REFERENCE', parsed.error.message, {
          reference: input,
          cause: parsed.error,
        }),
      });
      continue;
    }
    const ref = parsed.data;
    const repository = keepRegistryHost ? keptHostRepository(ref.registry, ref.repository) : ref.repository;
    const result: SaveImageResult = {
      reference: input,
      status: 'failed',
      repository,
      ...(ref.tag ? { tag: ref.tag } : {}),
    };
    results.push(result);
    if (ref.tag) {
      const key = `${repository}:${ref.tag}`;
      const other = targets.get(key);
      if (other !== undefined && other.split('/')[0] !== ref.registry) {
        result.error = new SaveError(
          'REPOSITORY_COLLISION',
          `${input}: "${other}" would also be saved as ${key}; pass keepRegistryHost (--keep-registry-host) to keep the registry host in repository paths`,
          { reference: input },
        );
        continue;
      }
      targets.set(key, formatImageReference(ref, { dropTagWithDigest: false }));
    }
    const shortName = keepRegistryHost ? undefined : dockerHubShortName(ref.registry, ref.repository);
    if (shortName !== undefined) result.shortName = shortName;
    planned.push({
      input,
      ref,
      source: { registry: mirrors.get(ref.registry) ?? ref.registry, repository: ref.repository },
      repository,
      ...(shortName === undefined ? {} : { shortName }),
      result,
      manifests: [],
      blobs: [],
      extraTags: [],
    });
  }
  return { planned: refuseShortNameClashes(planned), results };
}

/**
 * A Docker Hub short name (`mysql`) that another image of the run is saved as (`myreg:5000/mysql`) would
 * mix two registries' tags in one repository: the Docker Hub image fails, the other is saved.
 */
function refuseShortNameClashes(planned: PlannedImage[]): PlannedImage[] {
  const owners = new Map(planned.map((p) => [p.repository, p.input]));
  return planned.filter((p) => {
    const other = p.shortName === undefined ? undefined : owners.get(p.shortName);
    if (other === undefined) return true;
    p.result.error = new SaveError(
      'REPOSITORY_COLLISION',
      `${p.input}: a Docker Hub image is also saved as its short name ${p.shortName}, which "${other}" is saved as; pass keepRegistryHost (--keep-registry-host) to keep the registry host in repository paths`,
      { reference: p.input },
    );
    return false;
  });
}

import { formatImageReference, parseImageReference } from '@hub/api-types/reference';
import { keptHostRepository } from '../kept-host-repository.ts';
import type { PlannedImage, SaveImageResult } from './save-context.ts';
import { SaveError } from './save-error.ts';

/**
 * Step 1 of `saveImages`: parse every input (deduplicated), name its target repository, and refuse two
 * references from different registries that would land on the same `repository:tag`.
 * Every input gets a result; only the valid ones are planned.
 */
export function planImages(
  images: readonly string[],
  keepRegistryHost: boolean,
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
    planned.push({
      input,
      ref,
      source: { registry: ref.registry, repository: ref.repository },
      repository,
      result,
      manifests: [],
      blobs: [],
      extraTags: [],
    });
  }
  return { planned, results };
}

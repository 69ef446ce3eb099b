import { containersOf, podSpecsOf } from './pod-specs.ts';

/**
 * Image references used by the pod templates of `manifests` (containers, init containers and ephemeral
 * containers of Pods, workloads, Jobs and CronJobs), de-duplicated and sorted.
 */
export function collectImages(manifests: Iterable<unknown>): string[] {
  const images = new Set<string>();
  for (const manifest of manifests) {
    for (const spec of podSpecsOf(manifest)) {
      for (const container of containersOf(spec)) {
        if (typeof container.image === 'string' && container.image.trim() !== '')
          images.add(container.image.trim());
      }
    }
  }
  return [...images].sort();
}

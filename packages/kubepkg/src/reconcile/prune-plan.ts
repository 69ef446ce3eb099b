import { resourceIdentity } from '../apply/prepare-objects.ts';
import type { AppliedResource } from '../spec/kubepkg-schema.ts';

/**
 * What a complete apply prunes: exactly the recorded objects (the inventory) that the new version does not
 * contain, each once, in reverse apply order's spirit (the caller deletes workloads before config). Objects never
 * recorded are never candidates, whatever their labels say.
 */
export function prunePlan(
  recorded: readonly AppliedResource[],
  current: readonly { apiVersion: string; kind: string; name: string; namespace?: string | undefined }[],
): AppliedResource[] {
  const keep = new Set(current.map(resourceIdentity));
  const seen = new Set<string>();
  const plan: AppliedResource[] = [];
  for (const resource of recorded) {
    const id = resourceIdentity(resource);
    if (keep.has(id) || seen.has(id)) continue;
    seen.add(id);
    plan.push(resource);
  }
  return plan;
}

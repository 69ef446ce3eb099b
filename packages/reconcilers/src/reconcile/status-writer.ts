import { isDeepStrictEqual } from 'node:util';
import { type Condition, IMAGEHUB_API_VERSION } from '@hub/api-types';
import type { CatalogueKind, KubeObject, ReconcileContext } from '../client.ts';
import { conditionMatches, type DesiredCondition, READY, withCondition } from './conditions.ts';

/** The status a reconciler owns: its fields (undefined = absent) and the Ready condition. */
export interface DesiredStatus {
  fields: Record<string, unknown>;
  ready: DesiredCondition;
}

function statusOf(object: KubeObject): Record<string, unknown> {
  const status = object.status;
  return typeof status === 'object' && status !== null ? (status as Record<string, unknown>) : {};
}

function conditionsOf(status: Record<string, unknown>): Condition[] | undefined {
  return Array.isArray(status.conditions) ? (status.conditions as Condition[]) : undefined;
}

/** True when the stored status already says everything in `desired`. */
export function statusMatches(object: KubeObject, desired: DesiredStatus): boolean {
  const status = statusOf(object);
  const generation = object.metadata.generation;
  if (status.observedGeneration !== generation) return false;
  if (!conditionMatches(conditionsOf(status), desired.ready, generation)) return false;
  return Object.entries(desired.fields).every(([key, value]) => isDeepStrictEqual(status[key], value));
}

/**
 * Server-side applies the status subresource when it differs from `desired`, with
 * `observedGeneration` and the Ready condition; otherwise makes no call. Returns whether it wrote.
 */
export async function applyStatusIfChanged(
  kind: CatalogueKind,
  object: KubeObject,
  desired: DesiredStatus,
  context: ReconcileContext,
): Promise<boolean> {
  if (statusMatches(object, desired)) return false;
  const generation = object.metadata.generation;
  const status: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(desired.fields)) {
    if (value !== undefined) status[key] = value;
  }
  if (generation !== undefined) status.observedGeneration = generation;
  // Only Ready is ours: other condition types written by others stay out of our apply.
  status.conditions = withCondition(
    conditionsOf(statusOf(object)),
    desired.ready,
    generation,
    context.now(),
  ).filter((c) => c.type === READY);
  await context.client.applyStatus(
    { apiVersion: IMAGEHUB_API_VERSION, kind, metadata: { name: object.metadata.name ?? '' }, status },
    { force: true },
  );
  return true;
}

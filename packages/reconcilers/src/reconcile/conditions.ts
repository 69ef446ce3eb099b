import type { Condition } from '@hub/api-types';

/** The one condition every catalogue object carries. */
export const READY = 'Ready';

/** A condition as a reconciler computes it (the transition time is filled in by {@link withCondition}). */
export interface DesiredCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** metav1.Time: RFC 3339 in seconds, as the apiserver writes it. */
export function metaTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The conditions after setting `desired`: `lastTransitionTime` moves only when the status changes,
 * other condition types are kept.
 */
export function withCondition(
  existing: readonly Condition[] | undefined,
  desired: DesiredCondition,
  observedGeneration: number | undefined,
  now: Date,
): Condition[] {
  const current = (existing ?? []).find((c) => c.type === desired.type);
  const next: Condition = {
    ...desired,
    lastTransitionTime:
      current !== undefined && current.status === desired.status ? current.lastTransitionTime : metaTime(now),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
  };
  return [...(existing ?? []).filter((c) => c.type !== desired.type), next];
}

/** True when `existing` already says what `desired` says (ignoring the transition time). */
export function conditionMatches(
  existing: readonly Condition[] | undefined,
  desired: DesiredCondition,
  observedGeneration: number | undefined,
): boolean {
  const current = (existing ?? []).find((c) => c.type === desired.type);
  return (
    current !== undefined &&
    current.status === desired.status &&
    current.reason === desired.reason &&
    current.message === desired.message &&
    current.observedGeneration === observedGeneration
  );
}

/** A metav1.Condition, as KubePkg status records them. */
export interface KubePkgCondition {
  type: 'Ready' | 'Applied';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/**
 * The next conditions: `next` replaces the entry of its type, keeping `lastTransitionTime` while the status
 * stays the same (so a condition says since when it holds, not when it was last written).
 */
export function setConditions(
  previous: readonly KubePkgCondition[] | undefined,
  next: readonly Omit<KubePkgCondition, 'lastTransitionTime'>[],
  now: Date,
): KubePkgCondition[] {
  return next.map((condition) => {
    const before = previous?.find((c) => c.type === condition.type);
    const lastTransitionTime =
      before && before.status === condition.status ? before.lastTransitionTime : now.toISOString();
    return { ...condition, lastTransitionTime };
  });
}

/** Whether one applied object is up, and if not, why (kubectl rollout status' rules, per kind). */
export interface Readiness {
  ready: boolean;
  reason?: string;
}

interface Live {
  kind: string;
  metadata?: { generation?: number | undefined } | undefined;
  spec?: unknown;
  status?: unknown;
}

type Conditions = Array<{ type?: string; status?: string; reason?: string; message?: string }>;

const conditionOf = (status: { conditions?: Conditions } | undefined, type: string) =>
  status?.conditions?.find((c) => c.type === type);

/** The controller has not seen the latest spec yet: nothing in status speaks for it. */
function stale(live: Live, status: { observedGeneration?: number }): boolean {
  const generation = live.metadata?.generation;
  return generation !== undefined && (status.observedGeneration ?? 0) < generation;
}

function deploymentLike(live: Live, availableField: string): Readiness {
  const status = (live.status ?? {}) as Record<string, number | undefined> & { observedGeneration?: number };
  const wanted = (live.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  if (stale(live, status)) return { ready: false, reason: 'waiting for the controller to observe the spec' };
  const updated = status.updatedReplicas ?? 0;
  const available = status[availableField] ?? 0;
  if (updated < wanted) return { ready: false, reason: `${updated} of ${wanted} replicas updated` };
  if (available < wanted) return { ready: false, reason: `${available} of ${wanted} replicas available` };
  return { ready: true };
}

function statefulSet(live: Live): Readiness {
  const status = (live.status ?? {}) as {
    observedGeneration?: number;
    readyReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
  const wanted = (live.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  if (stale(live, status)) return { ready: false, reason: 'waiting for the controller to observe the spec' };
  const ready = status.readyReplicas ?? 0;
  if (ready < wanted) return { ready: false, reason: `${ready} of ${wanted} replicas ready` };
  if (status.updateRevision && status.currentRevision !== status.updateRevision)
    return { ready: false, reason: `rolling out revision ${status.updateRevision}` };
  return { ready: true };
}

function daemonSet(live: Live): Readiness {
  const status = (live.status ?? {}) as Record<string, number | undefined> & { observedGeneration?: number };
  if (stale(live, status)) return { ready: false, reason: 'waiting for the controller to observe the spec' };
  const wanted = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  if (updated < wanted) return { ready: false, reason: `${updated} of ${wanted} pods updated` };
  if (available < wanted) return { ready: false, reason: `${available} of ${wanted} pods available` };
  return { ready: true };
}

function byCondition(live: Live, type: string, waiting: string): Readiness {
  const condition = conditionOf(live.status as { conditions?: Conditions } | undefined, type);
  if (condition?.status === 'True') return { ready: true };
  return { ready: false, reason: condition?.message || condition?.reason || waiting };
}

function job(live: Live): Readiness {
  const status = live.status as { conditions?: Conditions } | undefined;
  const failed = conditionOf(status, 'Failed');
  if (failed?.status === 'True')
    return { ready: false, reason: `failed: ${failed.message || failed.reason}` };
  return byCondition(live, 'Complete', 'not complete yet');
}

function phase(live: Live, wanted: string): Readiness {
  const current = (live.status as { phase?: string } | undefined)?.phase;
  return current === wanted ? { ready: true } : { ready: false, reason: `phase ${current ?? 'unknown'}` };
}

/**
 * Readiness of an applied object from its live state: Deployments, ReplicaSets, StatefulSets and DaemonSets
 * rolled out and available, Jobs complete, Pods Ready, PersistentVolumeClaims Bound, CRDs Established. Other
 * kinds are ready once they exist (they have no status that says otherwise).
 */
export function readinessOf(live: Live): Readiness {
  switch (live.kind) {
    case 'Deployment':
      return deploymentLike(live, 'availableReplicas');
    case 'ReplicaSet':
      return deploymentLike(
        { ...live, status: { updatedReplicas: Infinity, ...(live.status as object) } },
        'availableReplicas',
      );
    case 'StatefulSet':
      return statefulSet(live);
    case 'DaemonSet':
      return daemonSet(live);
    case 'Job':
      return job(live);
    case 'Pod':
      return byCondition(live, 'Ready', 'not ready yet');
    case 'PersistentVolumeClaim':
      return phase(live, 'Bound');
    case 'CustomResourceDefinition':
      return byCondition(live, 'Established', 'not established yet');
    default:
      return { ready: true };
  }
}

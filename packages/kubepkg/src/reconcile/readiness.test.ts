import { describe, expect, it } from 'vitest';
import { readinessOf } from './readiness.ts';
import { compareVersions } from './version-order.ts';

describe('readinessOf', () => {
  it('wants a Deployment rolled out and available, for the generation its controller observed', () => {
    const spec = { replicas: 2 };
    const meta = { generation: 3 };
    expect(
      readinessOf({
        kind: 'Deployment',
        metadata: meta,
        spec,
        status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 },
      }).ready,
    ).toBe(false);
    expect(
      readinessOf({
        kind: 'Deployment',
        metadata: meta,
        spec,
        status: { observedGeneration: 3, updatedReplicas: 2, availableReplicas: 1 },
      }),
    ).toEqual({ ready: false, reason: '1 of 2 replicas available' });
    expect(
      readinessOf({
        kind: 'Deployment',
        metadata: meta,
        spec,
        status: { observedGeneration: 3, updatedReplicas: 2, availableReplicas: 2 },
      }),
    ).toEqual({ ready: true });
  });

  it('reads Jobs, StatefulSets, Pods, PVCs and CRDs by their own rules; other kinds are ready once they exist', () => {
    expect(
      readinessOf({ kind: 'Job', status: { conditions: [{ type: 'Complete', status: 'True' }] } }).ready,
    ).toBe(true);
    expect(
      readinessOf({
        kind: 'Job',
        status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
      }),
    ).toEqual({ ready: false, reason: 'failed: BackoffLimitExceeded' });
    expect(
      readinessOf({
        kind: 'StatefulSet',
        spec: { replicas: 1 },
        status: { readyReplicas: 1, currentRevision: 'a', updateRevision: 'b' },
      }).ready,
    ).toBe(false);
    expect(
      readinessOf({ kind: 'Pod', status: { conditions: [{ type: 'Ready', status: 'True' }] } }).ready,
    ).toBe(true);
    expect(readinessOf({ kind: 'PersistentVolumeClaim', status: { phase: 'Pending' } })).toEqual({
      ready: false,
      reason: 'phase Pending',
    });
    expect(readinessOf({ kind: 'CustomResourceDefinition', status: {} }).ready).toBe(false);
    expect(readinessOf({ kind: 'ConfigMap' }).ready).toBe(true);
  });
});

describe('compareVersions', () => {
  it('orders by semver precedence, a leading v and build metadata ignored', () => {
    expect(compareVersions('1.10.0', '1.9.0')).toBe(1);
    expect(compareVersions('v1.0.0', '1.0.0')).toBe(0);
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(compareVersions('1.0.0-rc.2', '1.0.0-rc.10')).toBe(-1);
    expect(compareVersions('1.0.0-alpha', '1.0.0-1')).toBe(1);
    expect(compareVersions('1.0.0+b1', '1.0.0+b2')).toBe(0);
  });
});

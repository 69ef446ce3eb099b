import { describe, expect, it } from 'vitest';
import type { AdmissionRequest, KubeObject } from '../client.ts';
import { DEFAULT_CATALOGUE_POLICY } from '../policy.ts';
import { FakeCluster } from '../test-support/fake-cluster.ts';
import { datapackAdmission } from './datapack-admission.ts';

const admission = datapackAdmission();
const cluster = new FakeCluster();

function review(spec: Record<string, unknown>) {
  const object: KubeObject = {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'DataPack',
    metadata: { name: 'dp' },
    spec,
  };
  const request: AdmissionRequest = {
    uid: '1',
    kind: { group: 'imagehub.sealos.io', version: 'v1', kind: 'DataPack' },
    name: 'dp',
    operation: 'CREATE',
    userInfo: { username: 'alice' },
    object,
  };
  return admission.review(request, { cache: cluster, policy: DEFAULT_CATALOGUE_POLICY });
}

describe('datapackAdmission', () => {
  it('admits a valid pack', () => {
    expect(review({ type: 'detail', names: ['labring/mysql:v8.0.31'], expireTime: '120m' })).toEqual({
      allowed: true,
    });
    expect(review({ names: ['labring/mysql:v8.0.31'] })).toEqual({ allowed: true });
  });

  it('rejects a duration Go cannot parse, naming the field', () => {
    const decision = review({ type: 'grid', names: ['a/b:c'], expireTime: '1d' });
    expect(decision.allowed).toBe(false);
    expect(decision.code).toBe(422);
    expect(decision.message).toBe(
      'DataPack dp is invalid: spec.expireTime: "1d" is not a Go duration: write numbers with units ns, us, ms, s, m or h, e.g. 2h, 90m, 1h30m.',
    );
    expect(review({ names: ['a/b:c'], expireTime: '-5m' }).message).toContain('must be positive');
    expect(review({ names: ['a/b:c'], expireTime: '0' }).message).toContain('must be positive');
  });

  it('rejects unknown types and bad names with a clear message', () => {
    expect(review({ type: 'full', names: ['a/b:c'] }).message).toBe(
      'DataPack dp is invalid: spec.type "full" is unknown: use base, grid, detail.',
    );
    const bad = review({ type: 'base', names: ['a/:b', 'labring'] });
    expect(bad.allowed).toBe(false);
    expect(bad.message).toContain('spec.names[0]');
    expect(bad.message).toContain('empty repository');
    expect(bad.message).toContain('spec.names[1]');
  });

  it('never throws on garbage', () => {
    const request = {
      uid: '1',
      kind: { group: '', version: '', kind: '' },
      operation: 'CREATE',
      userInfo: {},
      object: null,
    } as AdmissionRequest;
    expect(admission.review(request, { cache: cluster, policy: DEFAULT_CATALOGUE_POLICY }).allowed).toBe(
      false,
    );
  });
});

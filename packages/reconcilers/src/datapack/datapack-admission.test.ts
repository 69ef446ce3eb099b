import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DataPackType, dataPackName, legacyDataPackHash } from '@hub/api-types';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AdmissionRequest, KubeObject } from '../client.ts';
import { DEFAULT_CATALOGUE_POLICY } from '../policy.ts';
import { FakeCluster } from '../test-support/fake-cluster.ts';
import { datapackAdmission } from './datapack-admission.ts';

const admission = datapackAdmission();
const cluster = new FakeCluster();

function review(spec: Record<string, unknown>, name = 'dp', operation: 'CREATE' | 'UPDATE' = 'CREATE') {
  const object: KubeObject = {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'DataPack',
    metadata: { name },
    spec,
  };
  const request: AdmissionRequest = {
    uid: '1',
    kind: { group: 'imagehub.sealos.io', version: 'v1', kind: 'DataPack' },
    name,
    operation,
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

  describe('names of the form datapack-<type>-<32 hex>', () => {
    const spec: { type: DataPackType; names: string[]; expireTime: string } = {
      type: 'grid',
      names: ['labring/mysql:v8.0.31', 'labring/redis:7.2'],
      expireTime: '2h',
    };

    it('admits the name either naming mode derives from the spec, and no other hash', () => {
      expect(review(spec, `datapack-grid-${'0'.repeat(32)}`).allowed).toBe(false);
      expect(review(spec, dataPackName(spec))).toEqual({ allowed: true });
      // Names reordered and repeated, another expireTime: the same content, the same hash.
      const same = {
        ...spec,
        names: [...spec.names].reverse().concat(spec.names[0] ?? ''),
        expireTime: '5m',
      };
      expect(review(same, dataPackName(spec), 'UPDATE')).toEqual({ allowed: true });
      expect(review(spec, `datapack-grid-${legacyDataPackHash(spec)}`)).toEqual({ allowed: true });
      const base = { names: ['labring/mysql:v8.0.31'] };
      expect(review(base, dataPackName(base))).toEqual({ allowed: true });
    });

    it('refuses one whose hash is not that of its spec, on create and on update', () => {
      const other = { ...spec, names: ['labring/mysql:v8.0.31'] };
      const squatted = dataPackName(spec);
      for (const operation of ['CREATE', 'UPDATE'] as const) {
        const decision = review(other, squatted, operation);
        expect(decision.allowed).toBe(false);
        expect(decision.code).toBe(422);
        expect(decision.message).toBe(
          `DataPack ${squatted} is invalid: metadata.name "${squatted}" is a spec-hash name that does not match spec.type and spec.names: ` +
            `this spec is "${dataPackName(other)}" (dataPackName in @hub/api-types); name a pack by its own spec, or choose a name outside datapack-<type>-<32 hex>.`,
        );
      }
      // The right hash under another type's prefix, or another type in the spec, is refused too.
      const hash = dataPackName(spec).slice('datapack-grid-'.length);
      expect(review(spec, `datapack-detail-${hash}`).allowed).toBe(false);
      expect(review({ ...spec, type: 'detail' }, dataPackName(spec)).allowed).toBe(false);
    });

    it('accepts other names as before, the seed samples included, but not their specs under a hash name', () => {
      expect(review(spec, 'my-pack')).toEqual({ allowed: true });
      expect(review(spec, `datapack-grid-${'0'.repeat(31)}`)).toEqual({ allowed: true }); // not 32 hex
      expect(review(spec, legacyDataPackHash({ names: ['x/y:1'] }))).toEqual({ allowed: true });
      const fixtures = join(import.meta.dirname, '../../../api-types/src/__fixtures__');
      const seeds = ['seed-000-datapack-detail.yaml', 'seed-001-readme.yaml', 'seed-002-design.yaml'].flatMap(
        (file) =>
          parseAllDocuments(readFileSync(join(fixtures, file), 'utf8'))
            .map((document) => document.toJS() as KubeObject & { spec: Record<string, unknown> })
            .filter((object) => object.kind === 'DataPack'),
      );
      expect(seeds.map((pack) => pack.metadata.name)).toEqual([
        'datapackuid',
        'datapackuid',
        'datapack-detail-sample',
        'datapack-base-sample',
      ]);
      for (const pack of seeds) {
        expect(review(pack.spec, pack.metadata.name)).toEqual({ allowed: true });
        expect(review(pack.spec, dataPackName(spec)).allowed).toBe(false);
      }
    });
  });
});

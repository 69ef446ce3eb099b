import {
  DATA_PACK_CODES,
  formatIssues,
  validateDataPack,
  validateImage,
  validateImageHubObject,
  validateOrganization,
  validateRepository,
} from '@hub/api-types';
import { describe, expect, it } from 'vitest';

const dataPack = (spec: unknown, status?: unknown) => ({
  apiVersion: 'imagehub.sealos.io/v1',
  kind: 'DataPack',
  metadata: { name: 'x' },
  spec,
  ...(status === undefined ? {} : { status }),
});

describe('validation helpers', () => {
  it('reports issues with field paths', () => {
    const result = validateDataPack(
      dataPack({ type: 'table', names: ['labring/mysql:v1', 'a/:b'], expireTime: '1d' }),
    );
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((i) => i.path)).toEqual(['spec.type', 'spec.names[1]', 'spec.expireTime']);
    expect(result.issues[1]?.message).toContain('empty repository name');
    expect(result.issues[2]?.message).toContain('not a Go duration');
    expect(formatIssues(result.issues)).toMatch(/^spec\.type: .+; spec\.names\[1\]: .+; spec\.expireTime: /);
  });

  it('applies defaults and accepts the new status fields', () => {
    const result = validateDataPack(
      dataPack(
        { names: ['labring/mysql:v1'] },
        {
          codes: DATA_PACK_CODES.ERROR,
          message: 'organization labring not found',
          observedGeneration: 1,
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'OrganizationMissing',
              message: 'organization labring not found',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      ),
    );
    expect(result.success && result.data.spec).toEqual({
      type: 'base',
      names: ['labring/mysql:v1'],
      expireTime: '2h',
    });
  });

  it('rejects unknown codes and bad conditions', () => {
    const result = validateDataPack(
      dataPack({ names: [] }, { codes: 4, conditions: [{ type: 'Ready', status: 'Maybe' }] }),
    );
    expect(result.success ? [] : result.issues.map((i) => i.path)).toEqual([
      'status.codes',
      'status.conditions[0].status',
      'status.conditions[0].lastTransitionTime',
      'status.conditions[0].reason',
      'status.conditions[0].message',
    ]);
  });

  it('validates each kind and its list-independent fields', () => {
    expect(
      validateRepository({
        apiVersion: 'imagehub.sealos.io/v1',
        kind: 'Repository',
        metadata: {},
        spec: { name: 'labring/mysql' },
        status: { latestTag: null, tags: [{ name: 'v1', metaName: 'labring.mysql.v1', size: 1 }] },
      }),
    ).toMatchObject({ success: true, data: { spec: { isPrivate: false } } });
    expect(
      validateOrganization({
        apiVersion: 'imagehub.sealos.io/v1',
        kind: 'Organization',
        metadata: { name: 'labring' },
        spec: { name: 'labring', creator: 'admin', manager: ['admin'] },
      }).success,
    ).toBe(true);
    const image = validateImage({
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Image',
      metadata: {},
      spec: { name: 'labring', detail: { creatTime: 'yesterday' } },
    });
    expect(image.success ? [] : image.issues.map((i) => i.path)).toEqual([
      'spec.name',
      'spec.detail.creatTime',
    ]);
  });

  it('dispatches on kind and reports an unknown kind', () => {
    expect(validateImageHubObject({ kind: 'Pod' })).toEqual({
      success: false,
      issues: [{ path: 'kind', code: 'invalid_value', message: expect.stringContaining('"Pod"') }],
    });
    expect(validateImageHubObject(null).success).toBe(false);
  });

  it('formatIssues caps long lists', () => {
    const issues = Array.from({ length: 7 }, (_, i) => ({ path: `p${i}`, code: 'custom', message: 'bad' }));
    expect(formatIssues(issues, 2)).toBe('p0: bad; p1: bad (and 5 more)');
  });
});

import { describe, expect, it } from 'vitest';
import { type FaultRule, faultTargetOf, takeRule } from './fault-rules.ts';

describe('faultTargetOf', () => {
  it('classifies distribution API paths', () => {
    expect(faultTargetOf('/v2/team/app/blobs/sha256:abc')).toBe('blob');
    expect(faultTargetOf('/v2/team/app/manifests/v1')).toBe('manifest');
    expect(faultTargetOf('/token?scope=x')).toBe('token');
    expect(faultTargetOf('/v2/')).toBeUndefined();
  });
});

describe('takeRule', () => {
  const manifest = { method: 'GET', url: '/v2/a/manifests/v1', contentLength: 500 };
  const blob = { method: 'GET', url: '/v2/a/blobs/sha256:00', contentLength: 10 };

  it('applies status rules to requests and body rules to responses, consuming times', () => {
    const rules: FaultRule[] = [
      { fault: { kind: 'status', status: 503 }, on: 'blob', times: 1 },
      { fault: { kind: 'reset' }, on: 'manifest', times: 2 },
    ];
    expect(takeRule(rules, manifest, 'request')).toBeUndefined();
    expect(takeRule(rules, manifest, 'response')?.fault.kind).toBe('reset');
    expect(takeRule(rules, blob, 'request')?.fault.kind).toBe('status');
    expect(takeRule(rules, blob, 'request')).toBeUndefined();
    expect(takeRule(rules, manifest, 'response')?.fault.kind).toBe('reset');
    expect(takeRule(rules, manifest, 'response')).toBeUndefined();
    expect(rules.map((r) => r.times)).toEqual([0, 0]);
  });

  it('decides a hold on the request, for any method', () => {
    const rules: FaultRule[] = [{ fault: { kind: 'hold' } }];
    expect(takeRule(rules, { method: 'PUT', url: '/apis/x' }, 'response')).toBeUndefined();
    expect(takeRule(rules, { method: 'PUT', url: '/apis/x' }, 'request')?.fault.kind).toBe('hold');
  });

  it('skips bodies smaller than minBytes and non-GET methods', () => {
    const rules: FaultRule[] = [{ fault: { kind: 'truncate' }, minBytes: 100 }];
    expect(takeRule(rules, blob, 'response')).toBeUndefined();
    expect(takeRule(rules, { ...manifest, method: 'HEAD' }, 'response')).toBeUndefined();
    expect(takeRule(rules, manifest, 'response')?.fault.kind).toBe('truncate');
    expect(rules[0]?.times).toBeUndefined();
  });
});

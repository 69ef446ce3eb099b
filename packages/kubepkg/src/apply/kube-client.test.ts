import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { warmingUp } from './apply-kubepkg.ts';
import { kubeConfigFrom, kubeFailure } from './kube-client.ts';

const status = (code: number, reason: string, kind?: string) =>
  JSON.stringify({
    kind: 'Status',
    code,
    reason,
    message: `${reason}!`,
    ...(kind ? { details: { kind } } : {}),
  });

describe('kubeFailure', () => {
  it('reads the status and the v1 Status fields once', () => {
    expect(kubeFailure({ code: 404, body: status(404, 'NotFound', 'namespaces') })).toMatchObject({
      status: 404,
      reason: 'NotFound',
      kind: 'namespaces',
      message: 'NotFound!',
    });
  });

  it('has no reason when the answer is no Status (an unrouted kind), and keeps the text as the message', () => {
    expect(kubeFailure({ code: 404, body: '404 page not found\n' })).toMatchObject({
      status: 404,
      reason: undefined,
      message: '404 page not found',
    });
  });
});

describe('warmingUp: apply retries a just-defined kind on the status and Status reason, not on body text', () => {
  it('retries a 500, whatever its message says', () => {
    expect(warmingUp(kubeFailure({ code: 500, body: status(500, 'InternalError') }), undefined)).toBe(true);
  });

  it('retries an unrouted 404, not a Status about a missing object or namespace', () => {
    expect(warmingUp(kubeFailure({ code: 404, body: '404 page not found' }), undefined)).toBe(true);
    expect(
      warmingUp(kubeFailure({ code: 404, body: status(404, 'NotFound', 'namespaces') }), undefined),
    ).toBe(false);
    expect(warmingUp(kubeFailure({ code: 404, body: '404 page not found' }), 'All')).toBe(false);
  });

  it('never retries a refusal', () => {
    expect(warmingUp(kubeFailure({ code: 422, body: status(422, 'Invalid') }), undefined)).toBe(false);
  });
});

describe('kubeConfigFrom', () => {
  it('hands the one kubeconfig rule to client-node, tokenFile included', async () => {
    const token = join(mkdtempSync(join(tmpdir(), 'kubepkg-kc-')), 'token');
    writeFileSync(token, 'from-file');
    const kc = await kubeConfigFrom({
      source: 'in-cluster',
      files: [],
      config: {
        clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:443' } }],
        users: [{ name: 'u', user: { tokenFile: token } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'apps' } }],
        'current-context': 'x',
      },
    });
    expect(kc.getCurrentCluster()?.server).toBe('https://10.0.0.1:443');
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('apps');
    const opts: { headers?: Record<string, unknown> } = {};
    await kc.applyToHTTPSOptions(opts as never);
    expect(opts.headers?.Authorization).toBe('Bearer from-file');
  });
});

import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { admissionReviewHandler } from './admission-handler.ts';

async function review(handler: ReturnType<typeof admissionReviewHandler>, body: unknown) {
  const req = new PassThrough();
  let sent = '';
  const done = new Promise<void>((resolve) => {
    const res = {
      setHeader: () => undefined,
      end: (text: string) => {
        sent = text;
        resolve();
      },
    };
    handler(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  });
  req.end(JSON.stringify(body));
  await done;
  return JSON.parse(sent);
}

const request = {
  uid: 'u-1',
  kind: { group: '', version: 'v1', kind: 'ConfigMap' },
  resource: { group: '', version: 'v1', resource: 'configmaps' },
  operation: 'CREATE',
  name: 'x',
  userInfo: { username: 'alice' },
};

describe('admissionReviewHandler', () => {
  it('answers with the request uid and the decision', async () => {
    const out = await review(
      admissionReviewHandler((r) => ({ allowed: false, message: `no ${r.name}`, code: 403 })),
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request },
    );
    expect(out).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u-1', allowed: false, status: { message: 'no x', code: 403 } },
    });
  });

  it('base64-encodes a JSON patch for mutating webhooks', async () => {
    const patch = [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }];
    const out = await review(
      admissionReviewHandler(() => ({ allowed: true, patch })),
      { request },
    );
    expect(out.response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(out.response.patch, 'base64').toString())).toEqual(patch);
  });

  it('denies with 500 when the decision function throws', async () => {
    const out = await review(
      admissionReviewHandler(() => {
        throw new Error('boom');
      }),
      { request },
    );
    expect(out.response).toMatchObject({ uid: 'u-1', allowed: false, status: { code: 500 } });
  });
});

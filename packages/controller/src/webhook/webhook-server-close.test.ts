import { request as httpsRequest } from 'node:https';
import type { AdmissionDefinition, CacheView, CataloguePolicy } from '@hub/reconcilers';
import { describe, expect, it } from 'vitest';
import { selfSignedServingCertificate } from './self-signed.ts';
import { startWebhookServer } from './webhook-server.ts';

const cache: CacheView = { get: () => undefined, list: () => [], getObject: () => undefined };
const policy: CataloguePolicy = {
  missingOrganization: 'create',
  deleteEmptyRepositories: true,
  controllerNamespace: 'imagehub-system',
  userNamespace: 'user-system',
};
const definition: AdmissionDefinition = {
  name: 'image',
  path: '/validate',
  type: 'validating',
  kind: 'Image',
  operations: ['CREATE'],
  review: () => ({ allowed: true }),
};
const review = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'u1',
    kind: { group: 'imagehub.sealos.io', version: 'v1', kind: 'Image' },
    operation: 'CREATE',
    userInfo: { username: 'alice' },
  },
});

describe('startWebhookServer close()', () => {
  it('answers a review already on its way (the apiserver during a rolling update), asking to close', async () => {
    const cert = await selfSignedServingCertificate(['127.0.0.1']);
    const server = await startWebhookServer({
      definitions: [definition],
      cache,
      policy: () => policy,
      port: 0,
      host: '127.0.0.1',
      cert,
    });
    const answer = new Promise<{ status: number; connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/validate',
            method: 'POST',
            ca: cert.caPem,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(review) },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              body += chunk;
            });
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }),
            );
          },
        );
        req.on('error', reject);
        // Headers and half the body now; close() comes while the rest is still on its way.
        req.write(review.slice(0, 20));
        setTimeout(() => {
          const closed = server.close();
          setTimeout(() => req.end(review.slice(20)), 100);
          void closed;
        }, 200);
      },
    );
    const result = await answer;
    expect(result.status).toBe(200);
    expect(result.connection).toBe('close');
    expect(JSON.parse(result.body)).toMatchObject({ response: { uid: 'u1', allowed: true } });
    expect(server.serving()).toBe(false);
  });
});

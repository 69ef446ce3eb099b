import type { AdmissionDefinition, CacheView, CataloguePolicy } from '@hub/reconcilers';
import { describe, expect, it } from 'vitest';
import { webhookConfigurations } from './webhook-configurations.ts';
import { answerAdmission } from './webhook-server.ts';

const cache: CacheView = { get: () => undefined, list: () => [], getObject: () => undefined };
const policy: CataloguePolicy = {
  missingOrganization: 'create',
  deleteEmptyRepositories: true,
  controllerNamespace: 'imagehub-system',
  userNamespace: 'user-system',
};
const request = {
  uid: 'u1',
  kind: { group: 'imagehub.sealos.io', version: 'v1', kind: 'Image' },
  operation: 'CREATE' as const,
  userInfo: { username: 'alice' },
};
function definition(
  type: 'mutating' | 'validating',
  review: AdmissionDefinition['review'],
): AdmissionDefinition {
  return { name: 'image', path: '/x', type, kind: 'Image', operations: ['CREATE'], review };
}

describe('answerAdmission', () => {
  it('wraps a mutation into a base64 JSONPatch response with the request uid', () => {
    const patch = [{ op: 'add' as const, path: '/metadata/labels', value: { a: 'b' } }];
    const review = answerAdmission(
      definition('mutating', () => ({ allowed: true, patch })),
      request,
      { cache, policy },
    );
    const response = review.response as Record<string, unknown>;
    expect(review).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
    expect(response).toMatchObject({ uid: 'u1', allowed: true, patchType: 'JSONPatch' });
    expect(JSON.parse(Buffer.from(String(response.patch), 'base64').toString())).toEqual(patch);
  });

  it('answers a denial with its code and message, and a thrown review as a denial', () => {
    const denied = answerAdmission(
      definition('validating', () => ({ allowed: false, code: 403, message: 'no' })),
      request,
      { cache, policy },
    );
    expect(denied.response).toMatchObject({ allowed: false, status: { code: 403, message: 'no' } });
    const crashed = answerAdmission(
      definition('validating', () => {
        throw new TypeError('boom');
      }),
      request,
      { cache, policy },
    );
    expect(crashed.response).toMatchObject({ uid: 'u1', allowed: false, status: { code: 500 } });
    expect(JSON.stringify(crashed)).not.toContain('boom');
  });
});

describe('webhookConfigurations', () => {
  it('points each definition at URL + path with our CA and explicit Fail policies', () => {
    const defs = [
      definition('mutating', () => ({ allowed: true })),
      { ...definition('validating', () => ({ allowed: true })), path: '/v' },
    ];
    const configs = webhookConfigurations({
      definitions: defs,
      url: 'https://127.0.0.1:9443/',
      caPem: 'PEM',
    });
    expect(configs.map((c) => c.kind)).toEqual([
      'MutatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
    ]);
    const hook = ((configs[1]?.webhooks ?? []) as Array<Record<string, unknown>>)[0];
    expect(hook).toMatchObject({
      failurePolicy: 'Fail',
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      clientConfig: { url: 'https://127.0.0.1:9443/v', caBundle: Buffer.from('PEM').toString('base64') },
      rules: [
        { apiGroups: ['imagehub.sealos.io'], apiVersions: ['v1'], resources: ['images'], scope: 'Cluster' },
      ],
    });
  });
});

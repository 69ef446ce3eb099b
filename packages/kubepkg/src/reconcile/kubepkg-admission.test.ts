import { describe, expect, it } from 'vitest';
import { reviewKubePkg } from './kubepkg-admission.ts';

const pkg = (spec: Record<string, unknown>) => ({
  apiVersion: 'octohelm.tech/v1alpha1',
  kind: 'KubePkg',
  metadata: { name: 'demo', namespace: 'default' },
  spec: { version: '1.0.0', ...spec },
});
const cm = (name: string, namespace?: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe('reviewKubePkg', () => {
  it('admits keys of the documented rule and of octohelm nested form', () => {
    expect(
      reviewKubePkg(
        pkg({
          manifests: {
            'web.default.configmap': cm('web', 'default'),
            'other.configmap': cm('other'),
            'apps.namespace': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
            configMaps: { nested: cm('nested') },
            networkPolicies: {
              deny: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny' } },
            },
          },
        }),
      ),
    ).toEqual({ allowed: true });
  });

  it('refuses a key that names another object, with its path and the keys it may have', () => {
    const review = reviewKubePkg(
      pkg({
        manifests: {
          'demo.demo.namespace': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } },
        },
      }),
    );
    expect(review).toMatchObject({ allowed: false, path: 'spec.manifests["demo.demo.namespace"]' });
    expect(review.allowed || review.message).toContain('"demo.namespace"');
  });

  it('refuses what the schema refuses, with the field path, v0.2+ fields by name', () => {
    expect(reviewKubePkg(pkg({ version: 'one' }))).toMatchObject({ allowed: false, path: 'spec.version' });
    const later = reviewKubePkg(pkg({ containers: { web: {} } }));
    expect(later).toMatchObject({ allowed: false, path: 'spec.containers' });
    expect(later.allowed || later.message).toContain('octohelm kubepkg v0.2');
  });
});

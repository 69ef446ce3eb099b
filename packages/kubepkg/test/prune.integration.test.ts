// Prune is exact and scoped: it removes everything the previous version of this installation applied that the
// new one dropped (even the only object of a kind), and never touches the same package in another namespace.
// Applies fail fast on real errors instead of retrying as if a CRD were warming up.
import { applyKubePkg, kubePkgFromManifests } from '@hub/kubepkg';
import type { KubernetesManifest } from '@hub/kubepkg/spec';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';

const env = inject('hubTestEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(env.kubeconfigPath);
const api = KubernetesObjectApi.makeApiClient(kubeConfig);

const configMap = (name: string): KubernetesManifest => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { a: '1' },
});
const secret = (name: string): KubernetesManifest => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name },
  stringData: { b: '2' },
});
const v1 = kubePkgFromManifests([configMap('settings'), secret('creds')], {
  name: 'prunedemo',
  version: '1.0.0',
});
const v2 = kubePkgFromManifests([secret('creds')], { name: 'prunedemo', version: '2.0.0' });

async function exists(kind: string, name: string, namespace: string): Promise<boolean> {
  try {
    await api.read({ apiVersion: 'v1', kind, metadata: { name, namespace } });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false;
    throw error;
  }
}

describe('applyKubePkg --prune', () => {
  it('prunes the only ConfigMap v2 dropped, and only in its own namespace', async () => {
    await applyKubePkg(v1, { kubeConfig, namespace: 'prune-stage', prune: true });
    await applyKubePkg(v1, { kubeConfig, namespace: 'prune-prod', prune: true });
    const result = await applyKubePkg(v2, { kubeConfig, namespace: 'prune-prod', prune: true });
    expect(result.pruned.map((r) => `${r.kind}/${r.namespace}/${r.name}`)).toEqual([
      'ConfigMap/prune-prod/settings',
    ]);
    expect(await exists('ConfigMap', 'settings', 'prune-prod')).toBe(false);
    expect(await exists('Secret', 'creds', 'prune-prod')).toBe(true);
    // Same package, other installation: untouched.
    expect(await exists('ConfigMap', 'settings', 'prune-stage')).toBe(true);
    expect(await exists('Secret', 'creds', 'prune-stage')).toBe(true);
  });
});

describe('applyKubePkg fails fast', () => {
  it('does not retry an unknown kind as if a CRD were warming up, and keeps the server reason', async () => {
    const pkg = kubePkgFromManifests(
      [{ apiVersion: 'example.com/v1', kind: 'NoSuchThing', metadata: { name: 'x' } }],
      { name: 'failfast', version: '1.0.0' },
    );
    const started = Date.now();
    const error = (await applyKubePkg(pkg, { kubeConfig, namespace: 'failfast' }).catch(
      (e: unknown) => e,
    )) as {
      code?: string;
      detail?: { status?: number; reason?: string };
    };
    expect(error.code).toBe('APPLY_FAILED');
    expect(error.detail?.status).toBe(404);
    expect(error.detail?.reason).toMatch(/not found/i);
    // The old behaviour retried for ~18 s; one round trip takes well under a second.
    expect(Date.now() - started).toBeLessThan(8000);
  });
});

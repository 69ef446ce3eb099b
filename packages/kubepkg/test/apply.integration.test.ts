import { type ApplyEvent, applyKubePkg, kubePkgFromManifests, OWNER_LABEL } from '@hub/kubepkg';
import type { KubernetesManifest } from '@hub/kubepkg/spec';
import { widgetCrd } from '@hub/test-env';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';

const env = inject('hubTestEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(env.kubeconfigPath);
const api = KubernetesObjectApi.makeApiClient(kubeConfig);

const crd: KubernetesManifest = widgetCrd('kubepkg.test');

function manifests(ns: string, withConfig: boolean): KubernetesManifest[] {
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'docker.io/library/nginx:alpine' }] },
        },
      },
    },
    {
      apiVersion: 'kubepkg.test/v1',
      kind: 'Widget',
      metadata: { name: 'w1', namespace: ns },
      spec: { size: 'small' },
    },
    crd,
    ...(withConfig
      ? [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'settings', namespace: ns },
            data: { a: '1' },
          },
        ]
      : []),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { ports: [{ port: 80 }], selector: { app: 'web' } },
    },
  ];
}

describe('applyKubePkg against the real apiserver', () => {
  it('applies in dependency order (CRD with its CR in one package), creates the namespace, prunes on upgrade', async () => {
    const ns = `kubepkg-${Date.now().toString(36)}`;
    const events: ApplyEvent[] = [];
    const v1 = kubePkgFromManifests(manifests(ns, true), { name: 'demo', version: '1.0.0' });
    const first = await applyKubePkg(v1, {
      kubeConfig,
      registryRewrite: 'pocket.local:5000',
      onEvent: (e) => events.push(e),
    });
    expect(events[0]).toEqual({ type: 'namespace-created', name: ns });
    const order = first.resources.map((r) => r.kind);
    expect(order).toEqual(['CustomResourceDefinition', 'ConfigMap', 'Service', 'Widget', 'Deployment']);
    expect(events.some((e) => e.type === 'crd-established')).toBe(true);
    const deployment = (await api.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
    })) as {
      metadata: { labels: Record<string, string>; managedFields: Array<{ manager: string }> };
      spec: { template: { spec: { containers: Array<{ image: string }> } } };
    };
    expect(deployment.metadata.labels[OWNER_LABEL]).toBe('demo');
    expect(deployment.metadata.managedFields.some((f) => f.manager === 'kubepkg')).toBe(true);
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('pocket.local:5000/library/nginx:alpine');
    expect(first.status.appliedVersion).toBe('1.0.0');

    const v2 = kubePkgFromManifests(manifests(ns, false), { name: 'demo', version: '1.1.0' });
    const second = await applyKubePkg(v2, {
      kubeConfig,
      prune: true,
      previous: first.status.resources ?? [],
    });
    expect(second.pruned.map((r) => `${r.kind}/${r.name}`)).toEqual(['ConfigMap/settings']);
    const gone = await api
      .read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns } })
      .catch((e: { code?: number }) => e.code);
    expect(gone).toBe(404);
  });

  it('--dry-run creates nothing', async () => {
    const ns = `kubepkg-dry-${Date.now().toString(36)}`;
    const pkg = kubePkgFromManifests(
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: ns }, data: { a: '1' } },
      ],
      { name: 'dry', version: '1.0.0' },
    );
    const result = await applyKubePkg(pkg, { kubeConfig, dryRun: true });
    expect(result.resources.map((r) => r.kind)).toEqual(['Namespace', 'ConfigMap']);
    const status = await api
      .read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
      .catch((e: { code?: number }) => e.code);
    expect(status).toBe(404);
  });
});

import { KubeApiError, type KubeRequestOptions, type KubeTransport } from '@hub/datapack';
import { describe, expect, it } from 'vitest';
import type { ApiDiscovery } from './api-discovery.ts';
import { createKubePkgKubeClient } from './kubepkg-kube-client.ts';

const discovery: ApiDiscovery = {
  async resourceOf(_apiVersion, kind) {
    if (kind === 'ConfigMap')
      return { group: '', version: 'v1', plural: 'configmaps', kind, namespaced: true };
    if (kind === 'ClusterIssuer')
      return { group: 'cert-manager.io', version: 'v1', plural: 'clusterissuers', kind, namespaced: false };
    return undefined;
  },
};

function client(answer: (path: string, options: KubeRequestOptions) => unknown, mayWrite = () => true) {
  const calls: Array<{ path: string; options: KubeRequestOptions }> = [];
  const transport = {
    async request(path: string, options: KubeRequestOptions) {
      calls.push({ path, options });
      return answer(path, options);
    },
  } as unknown as KubeTransport;
  return { calls, kube: createKubePkgKubeClient({ transport, discovery, fieldManager: 'fm', mayWrite }) };
}

describe('createKubePkgKubeClient', () => {
  it('applies any kind discovery finds, without a namespace for a cluster-scoped one', async () => {
    const { calls, kube } = client((_, o) => o.body);
    await kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'apps' } });
    await kube.apply({
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: 'ca', namespace: 'apps' },
    });
    expect(calls.map((c) => c.path)).toEqual([
      '/api/v1/namespaces/apps/configmaps/a',
      '/apis/cert-manager.io/v1/clusterissuers/ca',
    ]);
    expect(
      (calls[1]?.options.body as { metadata: { namespace?: string } } | undefined)?.metadata.namespace,
    ).toBeUndefined();
    expect(calls[0]?.options.query).toEqual({ fieldManager: 'fm', force: true });
  });

  it("reports a refusal as APPLY_FAILED with the server's reason, and a kind not served as 404", async () => {
    const { kube } = client(() => {
      throw new KubeApiError('INVALID', 'invalid', { status: 422, detail: 'spec.x: Invalid value' });
    });
    await expect(
      kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n' } }),
    ).rejects.toMatchObject({
      code: 'APPLY_FAILED',
      retryable: false,
      detail: { status: 422, reason: 'spec.x: Invalid value' },
    });
    await expect(
      kube.apply({ apiVersion: 'x/v1', kind: 'Nothing', metadata: { name: 'a' } }),
    ).rejects.toMatchObject({
      detail: { status: 404 },
    });
    expect(await kube.get({ apiVersion: 'x/v1', kind: 'Nothing', name: 'a' })).toBeUndefined();
    await kube.delete({ apiVersion: 'x/v1', kind: 'Nothing', name: 'a' });
  });

  it('writes nothing once leadership is lost', async () => {
    const { calls, kube } = client(
      () => ({}),
      () => false,
    );
    await expect(
      kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n' } }),
    ).rejects.toMatchObject({
      code: 'LEADERSHIP_LOST',
    });
    expect(calls).toEqual([]);
  });
});

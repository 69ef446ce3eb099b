import { KubeApiError, type KubeTransport } from '@hub/datapack';
import { describe, expect, it } from 'vitest';
import { createApiDiscovery } from './api-discovery.ts';

function transport(lists: Record<string, Array<{ name: string; kind: string; namespaced: boolean }>>) {
  const calls: string[] = [];
  const fake = {
    calls,
    async request(path: string) {
      calls.push(path);
      const resources = lists[path];
      if (!resources) throw new KubeApiError('NOT_FOUND', 'not found', { status: 404 });
      return { resources };
    },
  };
  return fake as typeof fake & KubeTransport;
}

describe('createApiDiscovery', () => {
  it('finds a kind from its group version once, skipping subresources', async () => {
    const t = transport({
      '/apis/apps/v1': [
        { name: 'deployments', kind: 'Deployment', namespaced: true },
        { name: 'deployments/status', kind: 'Deployment', namespaced: true },
      ],
      '/api/v1': [{ name: 'namespaces', kind: 'Namespace', namespaced: false }],
    });
    const discovery = createApiDiscovery(t);
    expect(await discovery.resourceOf('apps/v1', 'Deployment')).toEqual({
      group: 'apps',
      version: 'v1',
      plural: 'deployments',
      kind: 'Deployment',
      namespaced: true,
    });
    expect(await discovery.resourceOf('apps/v1', 'Deployment')).toMatchObject({ plural: 'deployments' });
    expect(await discovery.resourceOf('v1', 'Namespace')).toMatchObject({ group: '', namespaced: false });
    expect(t.calls).toEqual(['/apis/apps/v1', '/api/v1']);
  });

  it('reads a group version again for a kind it lacked (a CRD just applied), at most once a second', async () => {
    const lists: Record<string, Array<{ name: string; kind: string; namespaced: boolean }>> = {};
    const t = transport(lists);
    let now = 0;
    const discovery = createApiDiscovery(t, () => now);
    expect(await discovery.resourceOf('example.com/v1', 'Widget')).toBeUndefined();
    lists['/apis/example.com/v1'] = [{ name: 'widgets', kind: 'Widget', namespaced: true }];
    expect(await discovery.resourceOf('example.com/v1', 'Widget')).toBeUndefined();
    now = 1_500;
    expect(await discovery.resourceOf('example.com/v1', 'Widget')).toMatchObject({ plural: 'widgets' });
    expect(t.calls).toHaveLength(2);
  });
});

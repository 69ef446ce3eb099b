import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  admissionReviewHandler,
  type ControlPlane,
  startControlPlane,
  startWebhookServer,
  type WebhookServer,
  widgetCrd,
} from '@hub/test-env';
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const widgets = widgetCrd('testenv.hub.local');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

describe('startControlPlane', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('serves the admin kubeconfig to client-node and kubectl', async () => {
    const namespaces = await cp.kubeConfig.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('default');
    if (existsSync('/usr/bin/kubectl')) {
      const out = execFileSync('/usr/bin/kubectl', [
        '--kubeconfig',
        cp.kubeconfigPath,
        'get',
        'namespaces',
        '-o',
        'name',
      ]);
      expect(out.toString()).toContain('namespace/kube-system');
    }
  });

  it('installs CRDs that discovery serves, and the apiserver rejects schema-invalid objects', async () => {
    await cp.installCRDs(widgets);
    const api = cp.kubeConfig.makeApiClient(CustomObjectsApi);
    const target = { group: 'testenv.hub.local', version: 'v1', namespace: 'default', plural: 'widgets' };
    const error = await api
      .createNamespacedCustomObject({
        ...target,
        body: {
          apiVersion: 'testenv.hub.local/v1',
          kind: 'Widget',
          metadata: { name: 'bad' },
          spec: { size: 'huge' },
        },
      })
      .catch((e: unknown) => e);
    expect(statusOf(error)).toBe(422);
    const status = JSON.parse(String((error as { body?: string }).body));
    expect(status.reason).toBe('Invalid');
    expect(status.details.causes).toContainEqual(
      expect.objectContaining({ reason: 'FieldValueNotSupported', field: 'spec.size' }),
    );
    const created = (await api.createNamespacedCustomObject({
      ...target,
      body: {
        apiVersion: 'testenv.hub.local/v1',
        kind: 'Widget',
        metadata: { name: 'good' },
        spec: { size: 'small' },
      },
    })) as { metadata: { name: string } };
    expect(created.metadata.name).toBe('good');
    // Installing again replaces rather than failing.
    await cp.installCRDs([widgets]);
  });

  it('gives a non-admin user 403 until a RoleBinding grants access', async () => {
    const alice = await cp.addUser('alice', ['hub:testers']);
    const asAlice = alice.kubeConfig.makeApiClient(CoreV1Api);
    const denied = await asAlice.listNamespacedConfigMap({ namespace: 'default' }).catch((e: unknown) => e);
    expect(statusOf(denied)).toBe(403);
    const rbac = cp.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    // Not the aggregated ClusterRole `view`: without kube-controller-manager aggregated roles have no rules.
    await rbac.createNamespacedRole({
      namespace: 'default',
      body: {
        metadata: { name: 'configmap-reader' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: 'default',
      body: {
        metadata: { name: 'testers-read-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'hub:testers' }],
      },
    });
    let allowed: unknown;
    for (let i = 0; i < 50; i++) {
      allowed = await asAlice.listNamespacedConfigMap({ namespace: 'default' }).catch((e: unknown) => e);
      if (statusOf(allowed) !== 403) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Array.isArray((allowed as { items?: unknown[] }).items)).toBe(true);
  });

  it('registers webhooks and returns only once the apiserver calls them', async () => {
    const server: WebhookServer = await startWebhookServer(
      admissionReviewHandler((request) =>
        request.name === 'forbidden'
          ? { allowed: false, message: 'forbidden by the test webhook', code: 403 }
          : { allowed: true },
      ),
    );
    try {
      await cp.registerWebhooks(
        {
          kind: 'ValidatingWebhookConfiguration',
          metadata: { name: 'deny-forbidden' },
          webhooks: [
            {
              name: 'deny-forbidden.testenv.hub.local',
              clientConfig: { service: { name: 'ignored', namespace: 'default', path: '/validate' } },
              rules: [
                {
                  apiGroups: [''],
                  apiVersions: ['v1'],
                  operations: ['CREATE'],
                  resources: ['configmaps'],
                  scope: 'Namespaced',
                },
              ],
              sideEffects: 'None',
              admissionReviewVersions: ['v1'],
              failurePolicy: 'Fail',
              timeoutSeconds: 5,
            },
          ],
        },
        server,
      );
      // No polling here: registerWebhooks already proved the configuration is live.
      const core = cp.kubeConfig.makeApiClient(CoreV1Api);
      const rejected = await core
        .createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'forbidden' } } })
        .catch((e: unknown) => e);
      expect(statusOf(rejected)).toBe(403);
      expect(String((rejected as { body?: string }).body)).toContain('forbidden by the test webhook');
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'fine' } } });
      expect(server.requestCount()).toBeGreaterThanOrEqual(2);
    } finally {
      await server.stop();
    }
  });
});

describe('stop', () => {
  it('leaves no etcd or kube-apiserver process and removes the temporary directory', async () => {
    let pids: number[];
    let dir: string;
    {
      await using cp = await startControlPlane();
      pids = [cp.pids.etcd, cp.pids.kubeApiserver];
      dir = cp.dir;
      expect(pids.every(alive)).toBe(true);
    }
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });
});

// The chart's RBAC and its rbac-fence ValidatingAdmissionPolicy, applied to a real apiserver of its own
// (the policy is cluster-wide), exercised as the controller's ServiceAccount: a client certificate whose
// user is system:serviceaccount:imagehub-system:hub-hub-controller, as a token of that account would be.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageMetadataName, organizationMetadataName } from '@hub/api-types';
import { runCli } from '@hub/controller';
import { organizationRoleName } from '@hub/reconcilers';
import { type ControlPlaneUser, ensureDeployTools } from '@hub/test-env';
import {
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byKind, chartNamespace, type Manifest, renderChart } from './chart.ts';
import { create, eventually, imageObject, startTestCluster, type TestCluster } from './harness.ts';

const ACCOUNT = `system:serviceaccount:${chartNamespace}:hub-hub-controller`;
const PREFIX = 'imagehub:organization-manager:';
const RBAC_KINDS = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
const FENCE_KINDS = ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];

let cluster: TestCluster;
let manifests: Manifest[];
let controller: ControlPlaneUser;
let rbac: RbacAuthorizationV1Api;
let adminRbac: RbacAuthorizationV1Api;

async function apply(kubeConfig: KubeConfig, objects: Manifest[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const object of objects) {
    await api.patch(object, undefined, undefined, 'hub-rbac-test', true, PatchStrategy.ServerSideApply);
  }
}

/** The status and message of a refused request (fails the test if it was not refused). */
async function refusal(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e as { code?: number; body?: unknown },
  );
  if (!error) throw new Error('the request was allowed');
  const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
  return { code: error.code ?? 0, message: String((body as { message?: string })?.message ?? error) };
}

function organizationRole(name: string) {
  return {
    metadata: { name },
    rules: [
      {
        apiGroups: ['imagehub.sealos.io'],
        resources: ['organizations'],
        resourceNames: [name.slice(PREFIX.length)],
        verbs: ['get', 'update', 'patch', 'delete'],
      },
    ],
  };
}

function binding(name: string, roleName: string) {
  return {
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'mallory' }],
  };
}

beforeAll(async () => {
  const tools = await ensureDeployTools();
  cluster = await startTestCluster();
  const admin = cluster.controlPlane.kubeConfig;
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: chartNamespace } } });
  manifests = await renderChart(tools.helm, 'registryToken.enabled=true');
  await apply(
    admin,
    manifests.filter((m) => [...RBAC_KINDS, ...FENCE_KINDS].includes(String(m.kind))),
  );
  controller = await cluster.controlPlane.addUser(ACCOUNT, [
    'system:serviceaccounts',
    `system:serviceaccounts:${chartNamespace}`,
  ]);
  rbac = controller.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  adminRbac = admin.makeApiClient(RbacAuthorizationV1Api);
  // The apiserver loads policies asynchronously: wait until a dry run is refused by the fence.
  await eventually(
    'the rbac-fence policy to be enforced',
    async () => {
      const { message } = await refusal(
        rbac.createClusterRole({ body: { metadata: { name: 'fence-probe' } }, dryRun: 'All' }),
      );
      return message.includes(`may only write ${PREFIX}`) ? true : undefined;
    },
    30_000,
    250,
  );
}, 600_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('the rbac-fence policy, for the controller ServiceAccount', () => {
  it('ships in the chart for the chart ServiceAccount', () => {
    const [policy] = byKind(manifests, 'ValidatingAdmissionPolicy') as {
      spec: { matchConditions: { expression: string }[] };
    }[];
    expect(policy?.spec.matchConditions[0]?.expression).toContain(`"${ACCOUNT}"`);
    expect(byKind(manifests, 'ValidatingAdmissionPolicyBinding')).toHaveLength(1);
  });

  it('refuses to delete cluster-admin', async () => {
    const { code, message } = await refusal(rbac.deleteClusterRole({ name: 'cluster-admin' }));
    expect(code).toBe(403);
    expect(message).toContain(
      `may only write ${PREFIX} ClusterRoles and ClusterRoleBindings, not cluster-admin`,
    );
    expect((await adminRbac.readClusterRole({ name: 'cluster-admin' })).metadata?.name).toBe('cluster-admin');
  });

  it('refuses to patch the view ClusterRole', async () => {
    // An owner reference alone passes RBAC's escalation check (a garbage-collector field), and would let
    // the garbage collector delete view once its owner is gone: only the fence stops it.
    const { code, message } = await refusal(
      rbac.patchClusterRole(
        {
          name: 'view',
          body: {
            metadata: {
              ownerReferences: [
                {
                  apiVersion: 'imagehub.sealos.io/v1',
                  kind: 'Organization',
                  name: 'x',
                  uid: 'ffffffff-0000-0000-0000-000000000000',
                },
              ],
            },
          },
        },
        setHeaderOptions('Content-Type', 'application/merge-patch+json'),
      ),
    );
    expect(code).toBe(403);
    expect(message).toContain(`may only write ${PREFIX} ClusterRoles and ClusterRoleBindings, not view`);
  });

  it('creates, patches and deletes its own organization ClusterRole and ClusterRoleBinding', async () => {
    const name = `${PREFIX}fence-test`;
    await rbac.createClusterRole({ body: organizationRole(name) });
    await rbac.createClusterRoleBinding({ body: binding(name, name) });
    const labelled = { metadata: { labels: { 'hub.test/touched': 'yes' } } };
    const mergePatch = setHeaderOptions('Content-Type', 'application/merge-patch+json');
    await rbac.patchClusterRole({ name, body: labelled }, mergePatch);
    await rbac.patchClusterRoleBinding({ name, body: labelled }, mergePatch);
    await rbac.deleteClusterRoleBinding({ name });
    await rbac.deleteClusterRole({ name });
    expect((await adminRbac.listClusterRole()).items.map((r) => r.metadata?.name)).not.toContain(name);
  });

  it('refuses a ClusterRoleBinding with its prefix that binds cluster-admin', async () => {
    // RBAC's own escalation check refuses this too (the controller does not hold cluster-admin's rights).
    const { code } = await refusal(
      rbac.createClusterRoleBinding({ body: binding(`${PREFIX}sneaky`, 'cluster-admin') }),
    );
    expect(code).toBe(403);
  });

  it('refuses a ClusterRoleBinding with its prefix that hands out its own ClusterRole', async () => {
    // The controller holds every right of its own ClusterRole, so RBAC would allow this binding.
    const { code, message } = await refusal(
      rbac.createClusterRoleBinding({ body: binding(`${PREFIX}sneaky`, 'hub-hub-controller') }),
    );
    expect(code).toBe(403);
    expect(message).toContain(`may only bind ${PREFIX} ClusterRoles, not hub-hub-controller`);
  });

  it('leaves other accounts with the same rights alone', async () => {
    const other = await cluster.controlPlane.addUser(`system:serviceaccount:${chartNamespace}:other`);
    await adminRbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'other-as-controller' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hub-hub-controller' },
        subjects: [{ kind: 'ServiceAccount', name: 'other', namespace: chartNamespace }],
      },
    });
    const otherRbac = other.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await eventually('the binding of the other account to take effect', async () => {
      await otherRbac.createClusterRole({ body: organizationRole('not-prefixed'), dryRun: 'All' });
      return true;
    });
    await otherRbac.createClusterRole({ body: organizationRole('not-prefixed') });
    await otherRbac.deleteClusterRole({ name: 'not-prefixed' });
  });
});

describe('the chart RBAC of the controller ServiceAccount', () => {
  it('grants nothing the code never calls: no Secrets, no update of RBAC, Leases or statuses', async () => {
    const authz = cluster.controlPlane.kubeConfig.makeApiClient(AuthorizationV1Api);
    const can = async (verb: string, group: string, resource: string, namespace?: string) => {
      const review = await authz.createSubjectAccessReview({
        body: {
          spec: {
            user: ACCOUNT,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${chartNamespace}`],
            resourceAttributes: { verb, group, resource, ...(namespace ? { namespace } : {}) },
          },
        },
      });
      return review.status?.allowed === true;
    };
    // The token key Secret is mounted by the kubelet, never read through the API.
    expect(await can('get', '', 'secrets', chartNamespace)).toBe(false);
    expect(await can('update', '', 'secrets', chartNamespace)).toBe(false);
    expect(await can('update', 'rbac.authorization.k8s.io', 'clusterroles')).toBe(false);
    expect(await can('delete', 'coordination.k8s.io', 'leases', chartNamespace)).toBe(false);
    expect(await can('update', 'imagehub.sealos.io', 'repositories/status')).toBe(false);
    expect(await can('create', 'events.k8s.io', 'events', 'default')).toBe(false);
    // What the code calls (the run below shows it is enough).
    expect(await can('update', 'coordination.k8s.io', 'leases', chartNamespace)).toBe(true);
    expect(await can('patch', 'imagehub.sealos.io', 'repositories/status')).toBe(true);
    // Held so that it may grant it to Organization managers (RBAC's escalation check).
    expect(await can('update', 'imagehub.sealos.io', 'organizations')).toBe(true);
  });
});

describe('hub-controller, run with the chart arguments as its ServiceAccount', () => {
  const abort = new AbortController();
  const stderr: string[] = [];
  let dir: string;
  let exit: Promise<number> | undefined;

  afterAll(async () => {
    abort.abort();
    if (exit) expect(await exit, stderr.join('')).toBe(0);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Writes a rendered Secret's data as files, as the kubelet mounts it. */
  async function mountSecret(name: string): Promise<string> {
    const secret = byKind(manifests, 'Secret').find((s) => s.metadata?.name === name);
    if (!secret) throw new Error(`the chart renders no Secret ${name}`);
    const target = join(dir, name);
    await mkdir(target);
    for (const [file, value] of Object.entries(secret.data as Record<string, string>)) {
      await writeFile(join(target, file), Buffer.from(value, 'base64'));
    }
    return target;
  }

  it('reconciles an Organization RBAC and holds the Lease within the shipped rights', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hub-rbac-controller-'));
    const [deployment] = byKind(manifests, 'Deployment') as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    }[];
    const mounts: Record<string, string> = {
      '/var/run/hub/token-keys': await mountSecret('hub-hub-controller-token-keys'),
      '/var/run/hub/token-tls': await mountSecret('hub-hub-controller-token-tls'),
    };
    // The chart's flags, with the pod-only parts (ports, mount paths, no webhook Service) made local.
    const local: Record<string, string> = {
      'health-probe-bind-address': '0',
      'metrics-bind-address': '0',
      'webhook-port': '0',
      'registry-token-bind-address': '127.0.0.1:0',
    };
    const args = (deployment?.spec.template.spec.containers[0]?.args ?? [])
      .filter((arg) => arg !== '--webhook-cert-dir=/tmp/k8s-webhook-server/serving-certs')
      .map((arg) => {
        const [flag = '', value = ''] = arg.replace(/^--/, '').split(/=(.*)/s);
        if (flag in local) return `--${flag}=${local[flag]}`;
        return mounts[value] ? `--${flag}=${mounts[value]}` : arg;
      });
    exit = runCli([...args, '--kubeconfig', controller.kubeconfigPath], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => stderr.push(text) },
      env: {},
      signal: abort.signal,
      isTTY: false,
    });

    const admin = cluster.admin;
    await create(admin, imageObject('fenced/app:v1', imageMetadataName('fenced/app:v1')));
    const roleName = organizationRoleName(organizationMetadataName('fenced'));
    const role = await eventually(
      'the controller to write the Organization ClusterRoleBinding',
      async () => (await adminRbac.listClusterRoleBinding()).items.find((b) => b.metadata?.name === roleName),
      60_000,
      250,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${stderr.join('')}`);
    });
    expect(role.roleRef.name).toBe(roleName);
    expect((await adminRbac.readClusterRole({ name: roleName })).metadata?.name).toBe(roleName);
    const lease = await cluster.controlPlane.kubeConfig
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'hub-controller', namespace: chartNamespace });
    expect(lease.spec?.holderIdentity).toBeTruthy();
    expect(stderr.join('')).not.toMatch(/forbidden/i);
  });

  it('serves tokens over HTTPS with the chart certificate, for hub-registry tokens only', async () => {
    const realm = await eventually('the token server to listen', () => {
      const line = stderr
        .join('')
        .split('\n')
        .find((l) => l.includes('registry token server listening'));
      return line ? (JSON.parse(line) as { realm: string }).realm : undefined;
    });
    expect(realm).toMatch(/^https:/);
    const tls = byKind(manifests, 'Secret').find((s) => s.metadata?.name === 'hub-hub-controller-token-tls');
    const ca = Buffer.from(
      ((tls?.data ?? {}) as Record<string, string>)['ca.crt'] ?? '',
      'base64',
    ).toString();
    const core = cluster.controlPlane.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'user-system' } } });
    await core.createNamespacedServiceAccount({
      namespace: 'user-system',
      body: { metadata: { name: 'alice' } },
    });
    const tokenFor = async (audiences: string[]) =>
      (
        await core.createNamespacedServiceAccountToken({
          name: 'alice',
          namespace: 'user-system',
          body: { spec: { audiences, expirationSeconds: 600 } },
        })
      ).status?.token ?? '';
    // The chain is verified for the Service name a client in the cluster dials.
    const ask = (password: string) =>
      new Promise<number>((resolve, reject) => {
        const url = `${realm}?service=hub-registry&scope=repository:fenced/app:pull`;
        const authorization = `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`;
        const servername = `hub-hub-controller-token.${chartNamespace}.svc`;
        httpsGet(url, { ca, servername, headers: { authorization } }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        }).on('error', reject);
      });
    expect(await ask(await tokenFor(['hub-registry']))).toBe(200);
    // A token for the Kubernetes API (the apiserver's own audience) is no registry password.
    expect(await ask(await tokenFor([]))).toBe(401);
  });
});

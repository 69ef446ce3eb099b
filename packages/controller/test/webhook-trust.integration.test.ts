// Who the webhooks trust, on the real apiserver: the controller runs as its own ServiceAccount
// (a client certificate with that name and its groups), the webhooks refuse to decide before the
// caches have synced, and Organizations cannot be created by those who may not, or over others' pushes.
import type { Organization, Repository } from '@hub/api-types';
import {
  ANNOTATION_REQUESTER,
  imageMetadataName,
  organizationMetadataName,
  repositoryMetadataName,
} from '@hub/api-types';
import { createKubeTransport, isKubeApiError, type KubeTransport } from '@hub/datapack';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Manager } from '../src/index.ts';
import {
  create,
  eventually,
  freeLoopbackPort,
  get,
  imageObject,
  remove,
  startTestCluster,
  startTestManager,
  type TestCluster,
} from './harness.ts';

const CONTROLLER = 'system:serviceaccount:imagehub-system:hub-controller';
const SA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:imagehub-system'];
const RBAC = '/apis/rbac.authorization.k8s.io/v1';

let cluster: TestCluster;
let manager: (Manager & { lines: string[] }) | undefined;
let controllerConfig: Awaited<ReturnType<TestCluster['controlPlane']['addUser']>>;
const users: Record<string, KubeTransport> = {};
const ports = { webhook: 0, probe: 0 };

/** The chart's controller rights, except listing ClusterRoleBindings (granted later: the caches then sync). */
const CONTROLLER_ROLE = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'hub-controller-test' },
  rules: [
    { apiGroups: ['imagehub.sealos.io'], resources: ['*'], verbs: ['*'] },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterroles'],
      verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
    },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterrolebindings'],
      verbs: ['get', 'create', 'patch', 'delete'],
    },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    // Out of cluster the controller registers its own webhook configurations (--webhook-url).
    {
      apiGroups: ['admissionregistration.k8s.io'],
      resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
      verbs: ['get', 'create', 'patch'],
    },
  ],
};

const HUB_USER_ROLE = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'hub-user-test' },
  rules: [
    {
      apiGroups: ['imagehub.sealos.io'],
      resources: ['images', 'repositories'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    },
    {
      apiGroups: ['imagehub.sealos.io'],
      resources: ['organizations'],
      verbs: ['get', 'list', 'watch', 'create'],
    },
  ],
};

function binding(name: string, role: string, subject: { kind: 'User' | 'Group'; name: string }) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', ...subject }],
  };
}

async function post(path: string, body: unknown) {
  await cluster.admin.request(path, { verb: 'create', method: 'POST', body });
}

async function attempt(fn: () => Promise<unknown>): Promise<{ status: number; message: string } | 'allowed'> {
  try {
    await fn();
    return 'allowed';
  } catch (error) {
    if (!isKubeApiError(error)) throw error;
    return { status: error.status ?? 0, message: error.detail ?? error.message };
  }
}

const as = (user: string) => users[user] as KubeTransport;
const image = (name: string) => imageObject(name, imageMetadataName(name));
const organization = (name: string) => ({
  apiVersion: 'imagehub.sealos.io/v1',
  kind: 'Organization',
  metadata: { name: organizationMetadataName(name) },
  spec: { name },
});
// Only a webhook refuses a metadata.name that is not the derived one (the CRD schema allows it).
const probe = () => attempt(() => create(cluster.admin, imageObject('probe/probe:v1', 'webhook-probe')));

function startController(policy: { missingOrganization: 'create' | 'wait' }) {
  return startTestManager(controllerConfig.kubeConfig, {
    webhook: { port: ports.webhook, host: '127.0.0.1', url: `https://127.0.0.1:${ports.webhook}` },
    probeBind: { host: '127.0.0.1', port: ports.probe },
    policy: {
      missingOrganization: policy.missingOrganization,
      deleteEmptyRepositories: true,
      controllerNamespace: 'imagehub-system',
      userNamespace: 'user-system',
      organizationCreation: 'group:org-creators',
    },
  });
}

beforeAll(async () => {
  cluster = await startTestCluster();
  [ports.webhook, ports.probe] = [await freeLoopbackPort(), await freeLoopbackPort()];
  controllerConfig = await cluster.controlPlane.addUser(CONTROLLER, SA_GROUPS);
  await post(`${RBAC}/clusterroles`, CONTROLLER_ROLE);
  await post(
    `${RBAC}/clusterrolebindings`,
    binding('hub-controller-test', 'hub-controller-test', { kind: 'User', name: CONTROLLER }),
  );
  await post(`${RBAC}/clusterroles`, HUB_USER_ROLE);
  await post(
    `${RBAC}/clusterrolebindings`,
    binding('hub-user-test', 'hub-user-test', { kind: 'Group', name: 'hub:users' }),
  );
  for (const [name, groups] of [
    ['alice', ['hub:users', 'org-creators']],
    ['mallory', ['hub:users', 'org-creators']],
    ['bob', ['hub:users']],
    // Another account of the controller's namespace, with what users may do.
    ['system:serviceaccount:imagehub-system:debug', [...SA_GROUPS, 'hub:users']],
  ] as const) {
    const user = await cluster.controlPlane.addUser(name, groups);
    users[name] = await createKubeTransport(user.kubeConfig);
  }
});

afterEach((context) => {
  if (context.task.result?.state === 'fail')
    process.stderr.write(`${manager?.lines.slice(-30).join('') ?? ''}\n`);
});

afterAll(async () => {
  for (const t of Object.values(users)) await t.close();
  await manager?.stop();
  await cluster?.stop();
});

describe('the webhooks on the real apiserver, with the controller as its own ServiceAccount', () => {
  it('refuse to decide before the caches have synced (a failed call, failurePolicy Fail), then decide', async () => {
    const starting = startController({ missingOrganization: 'create' });
    // The configurations are applied and served before the ClusterRoleBinding informer can list.
    const refused = await eventually(
      'the apiserver to call the webhooks of a starting controller',
      async () => {
        const result = await probe();
        if (result === 'allowed') await remove(cluster.admin, 'Image', 'webhook-probe');
        return result !== 'allowed' ? result : undefined;
      },
      30_000,
      200,
    );
    // The apiserver reports our 503 by its status text, as for any webhook that cannot answer.
    expect(refused.message).toMatch(
      /failed calling webhook.*the server is currently unable to handle the request/,
    );
    expect((await fetch(`http://127.0.0.1:${ports.probe}/readyz`)).status).toBe(500);
    expect(await get(cluster.admin, 'Image', 'webhook-probe')).toBeUndefined();

    await post(`${RBAC}/clusterroles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'hub-controller-test-bindings' },
      rules: [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterrolebindings'],
          verbs: ['list', 'watch'],
        },
      ],
    });
    await post(
      `${RBAC}/clusterrolebindings`,
      binding('hub-controller-test-bindings', 'hub-controller-test-bindings', {
        kind: 'User',
        name: CONTROLLER,
      }),
    );
    manager = await starting;
    expect(manager.identity.username).toBe(CONTROLLER);
    const decided = await probe();
    expect(decided).toMatchObject({ status: 422 });
    expect((decided as { message: string }).message).toContain('metadata.name must be');
  }, 90_000);

  it("trusts the controller's own account only, not its namespace's other accounts", async () => {
    expect(await attempt(() => create(as('alice'), image('alice-org/app:v1')))).toBe('allowed');
    // The controller's writes carry alice as the first pusher: the webhooks take them from it alone.
    const org = await eventually('alice-org to be created for alice', async () => {
      const o = await get<Organization>(cluster.admin, 'Organization', organizationMetadataName('alice-org'));
      return o?.spec.creator ? o : undefined;
    });
    expect(org.spec).toMatchObject({ creator: 'alice', manager: ['alice'] });
    const repository = await get<Repository>(
      cluster.admin,
      'Repository',
      repositoryMetadataName({ organization: 'alice-org', repository: 'app' }),
    );
    expect(repository?.metadata.annotations?.[ANNOTATION_REQUESTER]).toBe('alice');

    await eventually('the webhook to know alice-org', () =>
      manager?.factory
        .informers()
        .find((i) => i.resource.kind === 'Organization')
        ?.get(organizationMetadataName('alice-org'))
        ? true
        : undefined,
    );
    const neighbour = await attempt(() =>
      create(as('system:serviceaccount:imagehub-system:debug'), image('alice-org/app:v2')),
    );
    expect(neighbour).toMatchObject({ status: 403 });
    expect((neighbour as { message: string }).message).toContain(
      'user "system:serviceaccount:imagehub-system:debug" is not a manager of organization "alice-org"',
    );
  });

  it('--organization-creation group:org-creators: others may neither create an Organization nor push into a missing one', async () => {
    const direct = await attempt(() => create(as('bob'), organization('bob-org')));
    expect(direct).toMatchObject({ status: 403 });
    expect((direct as { message: string }).message).toContain(
      'user "bob" may not create Organizations: only members of group "org-creators" may',
    );
    const push = await attempt(() => create(as('bob'), image('bob-org/app:v1')));
    expect(push).toMatchObject({ status: 403 });
    expect((push as { message: string }).message).toContain(
      'organization "bob-org" does not exist, so Image "bob-org/app:v1" would create it, but user "bob" may not create Organizations',
    );
    expect(await attempt(() => create(as('mallory'), organization('mallory-org')))).toBe('allowed');
    const created = await get<Organization>(
      cluster.admin,
      'Organization',
      organizationMetadataName('mallory-org'),
    );
    expect(created?.spec.creator).toBe('mallory');
  });

  it("refuses an Organization over someone else's pushes, except to admins", async () => {
    // Under --missing-organization wait an admin's pushes stay without an Organization.
    await manager?.stop();
    manager = await startController({ missingOrganization: 'wait' });
    await eventually(
      'the restarted webhooks to answer',
      async () => {
        const result = await probe();
        if (result === 'allowed') await remove(cluster.admin, 'Image', 'webhook-probe');
        return result !== 'allowed' && result.status === 422 ? true : undefined;
      },
      30_000,
      200,
    );
    expect(await attempt(() => create(cluster.admin, image('legacy/app:v1')))).toBe('allowed');
    await eventually('the webhook to know the admin’s Image', () =>
      manager?.factory
        .informers()
        .find((i) => i.resource.kind === 'Image')
        ?.get(imageMetadataName('legacy/app:v1'))
        ? true
        : undefined,
    );
    const squat = await attempt(() => create(as('mallory'), organization('legacy')));
    expect(squat).toMatchObject({ status: 403 });
    expect((squat as { message: string }).message).toContain(
      'user "mallory" may not create Organization "legacy": the organization already has Images or Repositories that others created',
    );
    expect(await get(cluster.admin, 'Organization', organizationMetadataName('legacy'))).toBeUndefined();
    expect(await attempt(() => create(cluster.admin, organization('legacy')))).toBe('allowed');
  });
});

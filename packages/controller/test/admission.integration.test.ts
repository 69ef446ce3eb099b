import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataPack, Organization } from '@hub/api-types';
import { imageMetadataName, organizationMetadataName } from '@hub/api-types';
import { createKubeTransport, isKubeApiError, type KubeTransport } from '@hub/datapack';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Manager } from '../src/index.ts';
import {
  create,
  eventually,
  freeLoopbackPort,
  get,
  imageObject,
  kindPath,
  remove,
  startTestCluster,
  startTestManager,
  type TestCluster,
} from './harness.ts';

let cluster: TestCluster;
let manager: (Manager & { lines: string[] }) | undefined;
const users: Record<string, KubeTransport> = {};
let probeUrl: string;

// What the chart's hub-user ClusterRole grants: RBAC lets users try; the webhooks decide per organization.
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

async function rbac(path: string, body: unknown) {
  await cluster.admin.request(path, { verb: 'create', method: 'POST', body });
}

/** The HTTP status and message of a request that should be refused, or 'allowed'. */
async function attempt(fn: () => Promise<unknown>): Promise<{ status: number; message: string } | 'allowed'> {
  try {
    await fn();
    return 'allowed';
  } catch (error) {
    if (!isKubeApiError(error)) throw error;
    return { status: error.status ?? 0, message: error.detail ?? error.message };
  }
}

const healthy = async () => (await fetch(`${probeUrl}/healthz`)).status === 200;

beforeAll(async () => {
  cluster = await startTestCluster();
  const [webhookPort, probePort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  probeUrl = `http://127.0.0.1:${probePort}`;
  manager = await startTestManager(cluster.controlPlane.kubeConfig, {
    webhook: { port: webhookPort, host: '127.0.0.1', url: `https://127.0.0.1:${webhookPort}` },
    probeBind: { host: '127.0.0.1', port: probePort },
  });
  await rbac('/apis/rbac.authorization.k8s.io/v1/clusterroles', HUB_USER_ROLE);
  await rbac('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'hub-user-test' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hub-user-test' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'hub:users' }],
  });
  for (const [name, groups] of [
    ['alice', ['hub:users']],
    ['bob', ['hub:users']],
    ['carol', ['hub:users', 'team-x']],
  ] as const) {
    const user = await cluster.controlPlane.addUser(name, groups);
    users[name] = await createKubeTransport(user.kubeConfig);
  }
  // The apiserver picks up new webhook configurations a moment after they are written: wait until
  // it really calls ours. The probe passes the CRD schema; only the webhook refuses a metadata.name
  // that is not the one derived from spec.name.
  await eventually(
    'the webhooks to take effect',
    async () => {
      const result = await attempt(() =>
        create(cluster.admin, imageObject('probe/probe:v1', 'webhook-probe')),
      );
      if (result === 'allowed') await remove(cluster.admin, 'Image', 'webhook-probe');
      return result !== 'allowed' ? true : undefined;
    },
    30_000,
    200,
  );
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

const as = (user: string) => users[user] as KubeTransport;
const image = (name: string) => imageObject(name, imageMetadataName(name));

describe('the admission webhooks with real identities', () => {
  it('lets the first pusher found an organization and its managers create, update and delete', async () => {
    expect(await attempt(() => create(as('alice'), image('alice-org/app:v1')))).toBe('allowed');
    const org = await eventually('alice-org to be created with alice as creator', async () => {
      const o = await get<Organization>(cluster.admin, 'Organization', organizationMetadataName('alice-org'));
      return o?.spec.creator ? o : undefined;
    });
    expect(org.spec.creator).toBe('alice');
    // Wait until the webhook's cache has the Organization (it now decides by spec.manager).
    await eventually('the webhook to know alice-org', () =>
      manager?.factory
        .informers()
        .find((i) => i.resource.kind === 'Organization')
        ?.get(organizationMetadataName('alice-org'))
        ? true
        : undefined,
    );
    expect(await attempt(() => create(as('alice'), image('alice-org/app:v2')))).toBe('allowed');
    const path = kindPath('Image', imageMetadataName('alice-org/app:v2'));
    expect(
      await attempt(() =>
        as('alice').request(path, {
          verb: 'patch',
          method: 'PATCH',
          contentType: 'application/merge-patch+json',
          body: { spec: { detail: { description: 'edited by alice' } } },
        }),
      ),
    ).toBe('allowed');
    expect(await attempt(() => as('alice').request(path, { verb: 'delete', method: 'DELETE' }))).toBe(
      'allowed',
    );
  });

  it('denies a non-manager with a message naming the user and the organization', async () => {
    const denied = await attempt(() => create(as('bob'), image('alice-org/app:v3')));
    expect(denied).not.toBe('allowed');
    expect(denied).toMatchObject({ status: 403 });
    const message = (denied as { message: string }).message;
    expect(message).toContain('"bob"');
    expect(message).toContain('alice-org');
    const del = await attempt(() =>
      as('bob').request(kindPath('Image', imageMetadataName('alice-org/app:v1')), {
        verb: 'delete',
        method: 'DELETE',
      }),
    );
    expect(del).toMatchObject({ status: 403 });
    expect(await get(cluster.admin, 'Image', imageMetadataName('alice-org/app:v1'))).toBeDefined();
  });

  it('lets an admin through, and a manager given as group:<name>', async () => {
    expect(await attempt(() => create(cluster.admin, image('alice-org/admin:v1')))).toBe('allowed');
    expect(await attempt(() => create(as('carol'), image('alice-org/team:v1')))).toMatchObject({
      status: 403,
    });
    await cluster.admin.request(kindPath('Organization', organizationMetadataName('alice-org')), {
      verb: 'patch',
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { spec: { manager: ['alice', 'group:team-x'] } },
    });
    await eventually('carol (in team-x) to be admitted', async () =>
      (await attempt(() => create(as('carol'), image('alice-org/team:v1')))) === 'allowed' ? true : undefined,
    );
    expect(await attempt(() => create(as('bob'), image('alice-org/team:v2')))).toMatchObject({ status: 403 });
  });

  it("refuses the original's crashing names cleanly while /healthz stays green", async () => {
    const crashing = ['labring', 'a/:b', '/x:y', 'Labring/MySQL:V1', `${'a'.repeat(300)}/b:c`, 'a/b:c:d', ''];
    let n = 0;
    for (const name of crashing) {
      const result = await attempt(() => create(as('alice'), imageObject(name, `crash-${n++}`)));
      expect(result, name).not.toBe('allowed');
      const { status, message } = result as { status: number; message: string };
      // A clean denial (4xx with a reason), never "failed calling webhook" (a crashed or hung server).
      expect(status, name).toBeGreaterThanOrEqual(400);
      expect(status, name).toBeLessThan(500);
      expect(message, name).not.toMatch(/failed calling webhook/);
      expect(await healthy()).toBe(true);
    }
    // Malformed reviews straight at the server do not hurt it either.
    const webhookPort = manager?.webhookPort;
    for (const body of [
      '{',
      '{"request":null}',
      JSON.stringify({ request: { uid: 'x', object: { spec: { name: 42 } } } }),
    ]) {
      await new Promise<void>((resolve) => {
        import('node:https').then(({ request }) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: webhookPort,
              path: '/validate-imagehub-sealos-io-v1-image',
              method: 'POST',
              rejectUnauthorized: false,
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve());
            },
          );
          req.on('error', () => resolve());
          req.end(body);
        });
      });
    }
    expect(await healthy()).toBe(true);
    expect(await attempt(() => create(as('alice'), image('alice-org/after:v1')))).toBe('allowed');
  });
});

// Seed 000's DataPack names its Images labring.cert.manager.v1.7.0 and .v1.8.0; hub derives
// labring.cert-manager.<tag>. The dotted form is refused at admission, with the name to use.
describe("the seed sample's metaName on the real apiserver", () => {
  it('refuses the dotted metaName with the derived name, and accepts the derived one', async () => {
    const fixture = join(
      import.meta.dirname,
      '../../api-types/src/__fixtures__/seed-000-datapack-detail.yaml',
    );
    const documents = parseAllDocuments(readFileSync(fixture, 'utf8')).map((d) => d.toJS() as DataPack);
    const pack = documents.find((d) => d.status?.datas !== undefined) as DataPack;
    const entry = pack.status?.datas?.['labring/cert-manager:v1.8.0'];
    const tags = entry?.tags ?? [];
    expect(tags.map((t) => t.metaName)).toEqual([
      'labring.cert.manager.v1.7.0',
      'labring.cert.manager.v1.8.0',
    ]);
    for (const { name: tagName, metaName = '' } of tags) {
      const name = `labring/cert-manager:${tagName}`;
      const refused = await attempt(() => create(cluster.admin, imageObject(name, metaName)));
      expect(refused).toMatchObject({ status: 422 });
      const { message } = refused as { message: string };
      expect(message).toContain(`metadata.name must be "labring.cert-manager.${tagName}"`);
      expect(message).toContain("writes the name's dashes as dots");
      expect(await get(cluster.admin, 'Image', metaName)).toBeUndefined();
      expect(await attempt(() => create(cluster.admin, imageObject(name, imageMetadataName(name))))).toBe(
        'allowed',
      );
    }
    for (const tag of tags)
      await remove(cluster.admin, 'Image', imageMetadataName(`labring/cert-manager:${tag.name}`));
  });
});

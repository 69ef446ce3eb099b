import { randomBytes } from 'node:crypto';
import type {} from '@hub/test-env';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { image, organization, repository, tag } from '../__fixtures__/objects.ts';
import { eventually, remove, seed } from '../__fixtures__/seed.ts';
import {
  type Catalogue,
  createCatalogue,
  createHubHandler,
  createKubeTransport,
  type KubeTransport,
} from '../index.ts';

// Objects of this file live under a random organization: the apiserver is shared with other suites.
const org = `cat${randomBytes(4).toString('hex')}`;
let transport: KubeTransport;
let catalogue: Catalogue;

beforeAll(async () => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(inject('hubTestEnv').kubeconfigPath);
  transport = await createKubeTransport(kubeConfig);
  await seed(transport, [
    organization(org, ['alice']),
    repository(
      `${org}/db`,
      [
        tag('v2', '2024-05-01T00:00:00Z', 20, `${org}.db.v2`),
        tag('v1', '2024-01-01T00:00:00Z', 10, `${org}.db.v1`),
      ],
      {
        keywords: ['Database'],
      },
    ),
    image(`${org}/db:v1`, { creatTime: '2024-01-01T00:00:00Z', size: 10, keywords: ['Database'] }),
    image(`${org}/db:v2`, {
      creatTime: '2024-05-01T00:00:00Z',
      size: 20,
      keywords: ['Database'],
      docs: '# db',
    }),
    repository(`${org}/web`, [tag('1', '2024-02-01T00:00:00Z', 5, `${org}.web.1`)]),
    image(`${org}/web:1`, { creatTime: '2024-02-01T00:00:00Z', size: 5, keywords: ['Network'] }),
  ]);
  catalogue = createCatalogue({ kubeConfig });
  await catalogue.ready(AbortSignal.timeout(30_000));
});

afterAll(async () => {
  await catalogue?.close();
  await transport?.close();
});

describe('createCatalogue against the real apiserver', () => {
  it('syncs Images, Repositories and Organizations with their indexes', () => {
    expect(catalogue.synced()).toBe(true);
    expect(catalogue.organization(org)?.spec.manager).toEqual(['alice']);
    expect(catalogue.repositories({ organization: org }).map((r) => r.spec.name)).toEqual([
      `${org}/db`,
      `${org}/web`,
    ]);
    expect(catalogue.repository(`${org}/db`)?.status?.latestTag?.name).toBe('v2');
    expect(catalogue.image(`${org}/db:v2`)?.spec.detail.docs).toBe('# db');
    expect(catalogue.repositories({ organization: org, keyword: 'network' }).map((r) => r.spec.name)).toEqual(
      [`${org}/web`],
    );
  });

  it('follows changes and deletions through the watch', async () => {
    await seed(transport, [image(`${org}/web:2`, { creatTime: '2024-06-01T00:00:00Z', keywords: ['GPU'] })]);
    await eventually(() => catalogue.image(`${org}/web:2`) !== undefined, 'the new Image');
    expect(
      catalogue
        .images(`${org}/web`)
        .map((i) => i.spec.name)
        .sort(),
    ).toEqual([`${org}/web:1`, `${org}/web:2`]);
    await remove(transport, image(`${org}/web:2`));
    await eventually(() => catalogue.image(`${org}/web:2`) === undefined, 'the Image to go');
  });

  it('serves the handler from the live cache', async () => {
    const handler = createHubHandler({ catalogue, basePath: '/hub' });
    const response = await handler(new Request(`http://x/hub/repositories?org=${org}&keyword=Database`));
    const page = (await response.json()) as {
      items: { name: string; latestTag: { name: string } }[];
      total: number;
    };
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ name: `${org}/db`, latestTag: { name: 'v2' } });
  });
});

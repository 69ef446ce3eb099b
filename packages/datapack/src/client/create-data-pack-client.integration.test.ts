import { randomBytes } from 'node:crypto';
import { DATA_PACK_CODES, type DataPack, dataPackName, legacyDataPackHash } from '@hub/api-types';
import type {} from '@hub/test-env';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { image, organization, repository, tag } from '../__fixtures__/objects.ts';
import { seed } from '../__fixtures__/seed.ts';
import {
  type Catalogue,
  collectionPath,
  computeDataPack,
  createCatalogue,
  createDataPackClient,
  createInformer,
  createKubeTransport,
  type Informer,
  isDataPackError,
  KUBE_RESOURCES,
  type KubeTransport,
  objectPath,
} from '../index.ts';

// The DataPack controller lives in @hub/reconcilers, which this package may not import; this
// stand-in answers packs whose first name is under `answered` the way it does (computeDataPack
// into status), so the client's create / watch / naming / timeout paths run on the real apiserver.
const org = `cli${randomBytes(4).toString('hex')}`;
const answered = `${org}/`;
let transport: KubeTransport;
let catalogue: Catalogue;
let packs: Informer<DataPack>;
const kubeConfig = new KubeConfig();

beforeAll(async () => {
  kubeConfig.loadFromFile(inject('hubTestEnv').kubeconfigPath);
  transport = await createKubeTransport(kubeConfig);
  await seed(transport, [
    organization(org),
    repository(
      `${org}/app`,
      [
        tag('2.0', '2024-05-01T00:00:00Z', 7, `${org}.app.2.0`),
        tag('1.0', '2024-01-01T00:00:00Z', 5, `${org}.app.1.0`),
      ],
      {
        keywords: ['Dashboard'],
        downloadCount: 3,
      },
    ),
    image(`${org}/app:1.0`, {
      creatTime: '2024-01-01T00:00:00Z',
      size: 5,
      description: 'App',
      keywords: ['Dashboard'],
    }),
    image(`${org}/app:2.0`, {
      creatTime: '2024-05-01T00:00:00Z',
      size: 7,
      description: 'App',
      docs: '# App\n',
      ID: 'sha256:2',
      arch: 'arm64',
    }),
    // Private twice over: a private Repository, and an Image whose Repository does not exist yet
    // in an Organization without defaultPrivate.
    repository(`${org}/secret`, [tag('1', '2024-01-01T00:00:00Z', 1, `${org}.secret.1`)], {
      isPrivate: true,
    }),
    image(`${org}/secret:1`, { description: 'the secret one' }),
    image(`${org}/fresh:1`, { description: 'not listed yet' }),
  ]);
  catalogue = createCatalogue({ kubeConfig });
  await catalogue.ready(AbortSignal.timeout(30_000));
  packs = createInformer<DataPack>(transport, { resource: KUBE_RESOURCES.DataPack });
  packs.on(({ type, object }) => {
    if (type === 'DELETED' || !object.spec.names[0]?.startsWith(answered)) return;
    if (object.status?.codes === DATA_PACK_CODES.OK || object.status?.codes === DATA_PACK_CODES.ERROR) return;
    const status = computeDataPack(object.spec, catalogue);
    void transport.request(
      objectPath(KUBE_RESOURCES.DataPack, object.metadata.name ?? '', undefined, 'status'),
      {
        verb: 'patch',
        method: 'PATCH',
        contentType: 'application/merge-patch+json',
        body: { status },
      },
    );
  });
  packs.start();
  await packs.waitForSync(AbortSignal.timeout(30_000));
});

afterAll(async () => {
  packs?.stop();
  await catalogue?.close();
  await transport?.close();
});

describe('createDataPackClient', () => {
  it('returns the same result in direct and cr mode, through a pack named by the spec hash', async () => {
    const direct = createDataPackClient({ mode: 'direct', catalogue });
    const cr = createDataPackClient({ mode: 'cr', kubeConfig, timeoutMs: 20_000 });
    for (const type of ['base', 'grid', 'detail'] as const) {
      const request = { type, names: [`${org}/app:1.0`, `${org}/app:2.0`] };
      const viaCr = await cr.get(request);
      expect(viaCr.codes).toBe(DATA_PACK_CODES.OK);
      expect(viaCr).toEqual(await direct.get(request));
      const stored = await transport.request<DataPack>(
        objectPath(KUBE_RESOURCES.DataPack, dataPackName(request)),
        {
          verb: 'get',
        },
      );
      expect(stored.spec).toEqual({ type, names: request.names, expireTime: '2h' });
    }
    const detail = await cr.get({ type: 'detail', names: [`${org}/app:1.0`] });
    expect(detail.datas[`${org}/app:1.0`]?.tags?.map((t) => t.name)).toEqual(['2.0', '1.0']);
    expect(detail.datas[`${org}/app:1.0`]?.repoName).toBe(`${org}/app`);
    await cr.close();
  });

  it('carries ERROR and its message naming the missing names, with the resolved ones', async () => {
    const cr = createDataPackClient({ mode: 'cr', kubeConfig, timeoutMs: 20_000 });
    const request = { type: 'grid', names: [`${org}/app:2.0`, `${org}/app:9.9`] };
    const result = await cr.get(request);
    expect(result.codes).toBe(DATA_PACK_CODES.ERROR);
    expect(result.message).toBe(`image not found: "${org}/app:9.9".`);
    expect(Object.keys(result.datas)).toEqual([`${org}/app:2.0`]);
    expect(result).toEqual(await createDataPackClient({ mode: 'direct', catalogue }).get(request));
    await cr.close();
  });

  it('uses the original frontend MD5 name in legacy mode and reuses an existing pack', async () => {
    const cr = createDataPackClient({ mode: 'cr', kubeConfig, naming: 'legacy', timeoutMs: 20_000 });
    const request = { type: 'detail', names: [`${org}/app:2.0`] } as const;
    const first = await cr.get(request);
    const name = legacyDataPackHash(request);
    expect(name).toMatch(/^[0-9a-f]{32}$/);
    const stored = await transport.request<DataPack>(objectPath(KUBE_RESOURCES.DataPack, name), {
      verb: 'get',
    });
    expect(stored.status?.codes).toBe(DATA_PACK_CODES.OK);
    expect(await cr.get(request)).toEqual(first);
    await cr.close();
  });

  it('times out with TIMEOUT when no controller answers', async () => {
    const cr = createDataPackClient({ mode: 'cr', kubeConfig, timeoutMs: 1_500 });
    const error = await cr.get({ type: 'base', names: [`unanswered${org}/x:1`] }).catch((e: unknown) => e);
    expect(isDataPackError(error) && error.code).toBe('TIMEOUT');
    expect((error as Error).message).toContain('is hub-controller running?');
    await cr.close();
  });

  it('rejects malformed requests before any call, naming the field', async () => {
    const cr = createDataPackClient({ mode: 'cr', kubeConfig });
    const error = await cr.get({ type: 'base', names: ['a/:b'] }).catch((e: unknown) => e);
    expect(isDataPackError(error) && `${error.code} ${error.field}`).toBe('INVALID_REQUEST names[0]');
    await cr.close();
  });

  it('never carries private repositories in cr mode; a direct client given access shows them', async () => {
    const request = { type: 'grid', names: [`${org}/app:2.0`, `${org}/secret:1`, `${org}/fresh:1`] } as const;
    const cr = createDataPackClient({ mode: 'cr', kubeConfig, timeoutMs: 20_000 });
    const viaCr = await cr.get(request);
    expect(Object.keys(viaCr.datas)).toEqual([`${org}/app:2.0`]);
    expect(viaCr.message).toBe(`images not found: "${org}/secret:1", "${org}/fresh:1".`);
    expect(viaCr).toEqual(await createDataPackClient({ mode: 'direct', catalogue }).get(request));
    const stored = await transport.request<DataPack>(
      objectPath(KUBE_RESOURCES.DataPack, dataPackName(request)),
      { verb: 'get' },
    );
    expect(JSON.stringify(stored.status)).not.toContain('secret one');
    const manager = createDataPackClient({
      mode: 'direct',
      catalogue,
      access: (repository) => repository.organization === org,
    });
    expect((await manager.get(request)).codes).toBe(DATA_PACK_CODES.OK);
    await cr.close();
  });

  it('refuses a pack that holds another spec under the expected name (SPEC_MISMATCH)', async () => {
    const request = { type: 'grid', names: [`${org}/app:1.0`, `${org}/app:2.0`, `${org}/none:1`] } as const;
    const name = dataPackName(request);
    // Someone got there first: the expected name, a spec the stand-in does not answer, a forged status.
    await transport.request(collectionPath(KUBE_RESOURCES.DataPack), {
      verb: 'create',
      method: 'POST',
      body: {
        apiVersion: 'imagehub.sealos.io/v1',
        kind: 'DataPack',
        metadata: { name },
        spec: { type: 'grid', names: [`unanswered${org}/x:1`], expireTime: '2h' },
      },
    });
    await transport.request(objectPath(KUBE_RESOURCES.DataPack, name, undefined, 'status'), {
      verb: 'patch',
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: {
        status: { codes: DATA_PACK_CODES.OK, datas: { [`${org}/none:1`]: { name: `${org}/none:1` } } },
      },
    });
    const cr = createDataPackClient({ mode: 'cr', kubeConfig, timeoutMs: 20_000 });
    const error = await cr.get(request).catch((e: unknown) => e);
    expect(isDataPackError(error) && error.code).toBe('SPEC_MISMATCH');
    expect((error as Error).message).toContain(`DataPack ${name} exists with another spec`);
    await cr.close();
  });
});

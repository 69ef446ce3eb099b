import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DATA_PACK_CODES,
  type DataPack,
  dataPackName,
  imageMetadataName,
  legacyDataPackHash,
  organizationMetadataName,
  repositoryMetadataName,
} from '@hub/api-types';
import { createDataPackClient, isDataPackError, isKubeApiError } from '@hub/datapack';
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
  startTestCluster,
  startTestManager,
  type TestCluster,
} from './harness.ts';

// The DataPack controller and its admission webhook in the real manager, against a real apiserver:
// a pack's status is readable by every hub user, so it never holds a private repository, and a pack
// named by a spec hash must hold that spec.
let cluster: TestCluster;
let manager: (Manager & { lines: string[] }) | undefined;

const ORG = 'vis';

function repositoryObject(name: string, isPrivate: boolean) {
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Repository',
    metadata: { name: repositoryMetadataName(name) },
    spec: { name, isPrivate },
  };
}

function packObject(name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'imagehub.sealos.io/v1', kind: 'DataPack', metadata: { name }, spec };
}

async function refusal(fn: () => Promise<unknown>): Promise<{ status: number; message: string } | 'allowed'> {
  try {
    await fn();
    return 'allowed';
  } catch (error) {
    if (!isKubeApiError(error)) throw error;
    return { status: error.status ?? 0, message: error.detail ?? error.message };
  }
}

beforeAll(async () => {
  cluster = await startTestCluster();
  const port = await freeLoopbackPort();
  manager = await startTestManager(cluster.controlPlane.kubeConfig, {
    webhook: { port, host: '127.0.0.1', url: `https://127.0.0.1:${port}` },
  });
  await create(cluster.admin, {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Organization',
    metadata: { name: organizationMetadataName(ORG) },
    spec: { name: ORG, creator: 'admin' },
  });
  // Explicit Repositories first, so the controller creates none and their visibility is ours.
  await create(cluster.admin, repositoryObject(`${ORG}/open`, false));
  await create(cluster.admin, repositoryObject(`${ORG}/closed`, true));
  await create(cluster.admin, imageObject(`${ORG}/open:1`, imageMetadataName(`${ORG}/open:1`)));
  await create(
    cluster.admin,
    imageObject(`${ORG}/closed:1`, imageMetadataName(`${ORG}/closed:1`), { description: 'classified' }),
  );
  // The apiserver calls a new webhook configuration a moment after it is written: wait for ours.
  await eventually(
    'the DataPack webhook to take effect',
    async () => {
      const result = await refusal(() =>
        create(cluster.admin, packObject('webhook-probe', { names: ['a/b:c'], expireTime: '-5m' })),
      );
      return result !== 'allowed' && result.message.includes('must be positive') ? true : undefined;
    },
    30_000,
    200,
  );
});

afterEach((context) => {
  if (context.task.result?.state === 'fail')
    process.stderr.write(`${manager?.lines.slice(-40).join('') ?? ''}\n`);
});

afterAll(async () => {
  await manager?.stop();
  await cluster?.stop();
});

describe('the DataPack controller in the manager', () => {
  it('leaves private repositories out of the status, and answers them once public', async () => {
    const request = { type: 'grid', names: [`${ORG}/open:1`, `${ORG}/closed:1`] } as const;
    const cr = createDataPackClient({
      mode: 'cr',
      kubeConfig: cluster.controlPlane.kubeConfig,
      timeoutMs: 30_000,
    });
    const hidden = await cr.get(request);
    expect(hidden.codes).toBe(DATA_PACK_CODES.ERROR);
    expect(Object.keys(hidden.datas)).toEqual([`${ORG}/open:1`]);
    expect(hidden.message).toBe(`image not found: "${ORG}/closed:1".`);
    const stored = await get<DataPack>(cluster.admin, 'DataPack', dataPackName(request));
    expect(JSON.stringify(stored?.status)).not.toContain('classified');

    await cluster.admin.request(kindPath('Repository', repositoryMetadataName(`${ORG}/closed`)), {
      verb: 'patch',
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { spec: { isPrivate: false } },
    });
    const opened = await eventually('the pack to include the now public repository', async () => {
      const pack = await get<DataPack>(cluster.admin, 'DataPack', dataPackName(request));
      return pack?.status?.codes === DATA_PACK_CODES.OK ? pack : undefined;
    });
    expect(opened.status?.datas?.[`${ORG}/closed:1`]?.description).toBe('classified');
    await cr.close();
  });

  it('admission refuses a spec-hash name that is not the spec hash, and admits the seed names', async () => {
    const spec = { type: 'grid', names: [`${ORG}/open:1`], expireTime: '2h' } as const;
    const squatted = dataPackName({ type: 'grid', names: [`${ORG}/open:1`, `${ORG}/other:1`] });
    const refused = await refusal(() => create(cluster.admin, packObject(squatted, spec)));
    expect(refused).toMatchObject({ status: 422 });
    expect(refused !== 'allowed' && refused.message).toContain(
      `metadata.name "${squatted}" is a spec-hash name that does not match spec.type and spec.names`,
    );
    expect(await refusal(() => create(cluster.admin, packObject(dataPackName(spec), spec)))).toBe('allowed');
    expect(
      await refusal(() =>
        create(cluster.admin, packObject(`datapack-grid-${legacyDataPackHash(spec)}`, spec)),
      ),
    ).toBe('allowed');
    // The seed samples keep their hand-picked names (cluster-scoped: their namespace is dropped).
    const seeds = join(import.meta.dirname, '../../api-types/src/__fixtures__');
    const [detail] = parseAllDocuments(readFileSync(join(seeds, 'seed-000-datapack-detail.yaml'), 'utf8'));
    const sample = parseAllDocuments(readFileSync(join(seeds, 'seed-001-readme.yaml'), 'utf8'))
      .map((document) => document.toJS() as ReturnType<typeof packObject>)
      .find((object) => object.kind === 'DataPack');
    for (const seed of [detail?.toJS() as ReturnType<typeof packObject>, sample]) {
      expect(seed).toBeDefined();
      const { name } = seed?.metadata ?? { name: '' };
      expect(await refusal(() => create(cluster.admin, packObject(name, seed?.spec ?? {})))).toBe('allowed');
    }
  });

  it('the client refuses a pack under its legacy name that holds another spec', async () => {
    const request = { type: 'detail', names: [`${ORG}/open:1`] } as const;
    // Bare MD5 names are outside the datapack-<type>-<hash> form, so admission cannot check them.
    const legacy = legacyDataPackHash(request);
    await create(cluster.admin, packObject(legacy, { type: 'detail', names: [`${ORG}/closed:1`] }));
    await eventually('the controller to answer the planted pack', async () => {
      const pack = await get<DataPack>(cluster.admin, 'DataPack', legacy);
      return pack?.status?.codes === DATA_PACK_CODES.OK || pack?.status?.codes === DATA_PACK_CODES.ERROR
        ? true
        : undefined;
    });
    const cr = createDataPackClient({
      mode: 'cr',
      kubeConfig: cluster.controlPlane.kubeConfig,
      naming: 'legacy',
      timeoutMs: 30_000,
    });
    const error = await cr.get(request).catch((e: unknown) => e);
    expect(isDataPackError(error) && error.code).toBe('SPEC_MISMATCH');
    await cr.close();
  });
});

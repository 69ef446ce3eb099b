import { DATA_PACK_CODES, type DataPack, dataPackName } from '@hub/api-types';
import { describe, expect, it } from 'vitest';
import { image, organization, sampleCatalogue } from '../__fixtures__/objects.ts';
import {
  createDataPackClient,
  isDataPackError,
  KubeApiError,
  type KubeRequestOptions,
  type KubeTransport,
} from '../index.ts';

const OK = DATA_PACK_CODES.OK;

// An apiserver holding DataPacks by name: enough for the cr client's get / create / watch paths.
function fakeApiserver(packs: Map<string, DataPack>, watchEvents: unknown[] = []) {
  const verbs: string[] = [];
  const transport: KubeTransport = {
    server: 'https://fake.invalid',
    async request<T>(path: string, options: KubeRequestOptions): Promise<T> {
      verbs.push(options.verb);
      if (options.verb === 'create') {
        const body = options.body as DataPack;
        const name = body.metadata.name ?? '';
        if (packs.has(name)) {
          throw new KubeApiError('ALREADY_EXISTS', 'exists', { status: 409, reason: 'AlreadyExists' });
        }
        const stored = { ...body, metadata: { ...body.metadata, resourceVersion: '1' } };
        packs.set(name, stored);
        return stored as T;
      }
      const pack = packs.get(path.split('/').at(-1) ?? '');
      if (pack === undefined) throw new KubeApiError('NOT_FOUND', 'not found', { status: 404 });
      return pack as T;
    },
    async *stream() {
      verbs.push('watch');
      for (const event of watchEvents) yield event;
      await new Promise(() => {}); // a watch that stays open
    },
    onRequest: () => () => {},
    close: async () => {},
  };
  return { transport, verbs };
}

// Anything anyone may have stored: the spec is not the client's own.
function stored(
  name: string,
  spec: { type: string; names: readonly string[]; expireTime?: string },
  status?: DataPack['status'],
): DataPack {
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'DataPack',
    metadata: { name, resourceVersion: '7' },
    spec: { expireTime: '2h', ...spec, names: [...spec.names] } as DataPack['spec'],
    ...(status === undefined ? {} : { status }),
  };
}

const poisoned = {
  codes: OK,
  datas: { 'labring/mysql:v1': { name: 'labring/mysql:v1', description: 'lies' } },
};

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDataPackError(error)) throw new Error(`expected a DataPackError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe('createDataPackClient direct mode', () => {
  it('leaves private repositories out unless given access, with the handler authorize semantics', async () => {
    const catalogue = sampleCatalogue();
    catalogue.upsert(image('acme/fresh:v1')); // no Repository object: acme's default, private
    const names = ['acme/cache:v1', 'acme/fresh:v1', 'labring/redis:7.2'];
    const anonymous = await createDataPackClient({ mode: 'direct', catalogue }).get({ names });
    expect(Object.keys(anonymous.datas)).toEqual(['labring/redis:7.2']);
    expect(anonymous.message).toBe('images not found: "acme/cache:v1", "acme/fresh:v1".');
    const asked: unknown[] = [];
    const carol = createDataPackClient({
      mode: 'direct',
      catalogue,
      access: (repository) => {
        asked.push(repository);
        return repository.organization === 'acme';
      },
    });
    const admitted = await carol.get({ names });
    expect(admitted.codes).toBe(OK);
    expect(Object.keys(admitted.datas)).toEqual(names);
    expect(asked).toContainEqual({ name: 'acme/fresh', organization: 'acme' });
    // An Organization that opens new repositories shows them before their Repository exists.
    catalogue.upsert(organization('acme', ['carol'], 'admin', { defaultPrivate: false }));
    const opened = await createDataPackClient({ mode: 'direct', catalogue }).get({ names });
    expect(Object.keys(opened.datas)).toEqual(['acme/fresh:v1', 'labring/redis:7.2']);
  });
});

describe('createDataPackClient cr mode trusts only a pack with its own spec', () => {
  const request = { type: 'grid', names: ['labring/mysql:v1', 'labring/redis:7'] } as const;
  const name = dataPackName(request);

  it('refuses an existing pack of the expected name whose spec differs, without creating one', async () => {
    // The same content (names reordered and repeated, another expireTime) is used as it is ...
    const same = {
      type: 'grid',
      names: ['labring/redis:7', 'labring/mysql:v1', 'labring/redis:7'],
      expireTime: '5m',
    };
    const shared = createDataPackClient({
      mode: 'cr',
      transport: fakeApiserver(new Map([[name, stored(name, same, poisoned)]])).transport,
    });
    expect(await shared.get(request)).toEqual(poisoned);
    // ... another one is not.
    const packs = new Map([[name, stored(name, { type: 'grid', names: ['labring/mysql:v1'] }, poisoned)]]);
    const { transport, verbs } = fakeApiserver(packs);
    const cr = createDataPackClient({ mode: 'cr', transport, timeoutMs: 2_000 });
    const error = await failure(cr.get(request));
    expect(error.code).toBe('SPEC_MISMATCH');
    expect(error.message).toContain(`DataPack ${name} exists with another spec (type "grid", 1 names)`);
    expect(verbs).toEqual(['get']);
  });

  it('refuses a pack with another type under the expected name', async () => {
    const packs = new Map([[name, stored(name, { type: 'detail', names: [...request.names] }, poisoned)]]);
    const cr = createDataPackClient({ mode: 'cr', transport: fakeApiserver(packs).transport });
    expect((await failure(cr.get(request))).code).toBe('SPEC_MISMATCH');
  });

  it('refuses a pack someone else created between its GET and its create', async () => {
    const packs = new Map<string, DataPack>();
    const { transport } = fakeApiserver(packs);
    const original = transport.request.bind(transport);
    transport.request = async <T>(path: string, options: KubeRequestOptions): Promise<T> => {
      if (options.verb === 'create')
        packs.set(name, stored(name, { type: 'grid', names: ['x/y:1'] }, poisoned));
      return original<T>(path, options);
    };
    const cr = createDataPackClient({ mode: 'cr', transport, timeoutMs: 2_000 });
    expect((await failure(cr.get(request))).code).toBe('SPEC_MISMATCH');
  });

  it('refuses a verdict that arrives on a pack recreated with another spec while waiting', async () => {
    const packs = new Map([[name, stored(name, { type: 'grid', names: [...request.names] })]]);
    const recreated = stored(name, { type: 'grid', names: ['labring/mysql:v1'] }, poisoned);
    const { transport } = fakeApiserver(packs, [{ type: 'ADDED', object: recreated }]);
    const cr = createDataPackClient({ mode: 'cr', transport, timeoutMs: 2_000 });
    expect((await failure(cr.get(request))).code).toBe('SPEC_MISMATCH');
  });
});

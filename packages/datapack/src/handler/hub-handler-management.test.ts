import type { Image } from '@hub/api-types';
import { describe, expect, it } from 'vitest';
import { repository, sampleCatalogue } from '../__fixtures__/objects.ts';
import {
  type CatalogueStore,
  createHubHandler,
  createHubSessions,
  KubeApiError,
  type KubeRequestOptions,
  type KubeTransport,
} from '../index.ts';

const base = 'http://hub.test/api/hub';
const SECRET = 'a-session-secret-of-at-least-32-characters';

interface Call {
  path: string;
  options: KubeRequestOptions;
}

// The apiserver as the user's token meets it: carol may write, dave is refused by admission.
function fakeUserTransport(store: CatalogueStore, calls: Call[]): KubeTransport {
  return {
    server: 'https://apiserver.test',
    async request<T>(path: string, options: KubeRequestOptions): Promise<T> {
      calls.push({ path, options });
      if (options.bearerToken !== 'carol-token') {
        throw new KubeApiError('FORBIDDEN', `${options.method} ${path}: the apiserver answered HTTP 403`, {
          status: 403,
          detail:
            'admission webhook "repositories.imagehub.sealos.io" denied the request: dave does not manage acme',
        });
      }
      if (options.method === 'POST' && path.endsWith('/images')) {
        // The watch delivers the Image, and hub-controller makes its Repository.
        const created = options.body as Image;
        store.upsert(created);
        store.upsert(repository(created.spec.name.slice(0, created.spec.name.lastIndexOf(':'))));
        return created as T;
      }
      // Apply the patch to the watch cache, as the watch would deliver it.
      const repo = store.repository('acme/cache');
      if (repo && options.method === 'PATCH' && path.includes('/repositories/')) {
        const spec = { ...repo.spec, ...(options.body as { spec: object }).spec };
        for (const [k, v] of Object.entries(spec))
          if (v === null) delete (spec as Record<string, unknown>)[k];
        store.upsert({ ...repo, metadata: { ...repo.metadata, resourceVersion: '2' }, spec });
        return { metadata: { resourceVersion: '2' } } as T;
      }
      return {} as T;
    },
    stream: () => {
      throw new Error('not used');
    },
    onRequest: () => () => {},
    close: async () => {},
  };
}

async function setup() {
  const store = sampleCatalogue();
  const calls: Call[] = [];
  const handler = createHubHandler({
    catalogue: store,
    basePath: '/api/hub',
    sessions: createHubSessions({
      secret: SECRET,
      authenticator: {
        authenticate: async (token) =>
          ({
            'carol-token': { username: 'carol', groups: [] },
            'dave-token': { username: 'dave', groups: [] },
          })[token],
      },
    }),
    userTransport: fakeUserTransport(store, calls),
  });
  const cookie = async (token: string) => {
    const response = await handler(
      new Request(`${base}/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      }),
    );
    return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  };
  const patch = (path: string, body: unknown, headers: Record<string, string>) =>
    handler(
      new Request(`${base}${path}`, {
        method: 'PATCH',
        // An empty value leaves the header out (a request with no Origin at all).
        headers: Object.fromEntries(
          Object.entries({
            'content-type': 'application/json',
            origin: 'http://hub.test',
            ...headers,
          }).filter(([, value]) => value !== ''),
        ),
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  return { store, calls, handler, cookie, patch };
}

describe('createHubHandler management API', () => {
  it('PATCHes a repository with the user’s own token, as a merge patch of the spec overrides', async () => {
    const { calls, cookie, patch } = await setup();
    const response = await patch(
      '/repositories/acme/cache',
      { description: 'Edited in the hub', keywords: ['Storage', 'cache'], isPrivate: false },
      { cookie: await cookie('carol-token') },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      name: 'acme/cache',
      description: 'Edited in the hub',
      keywords: ['Storage', 'cache'],
      isPrivate: false,
    });
    expect(calls).toEqual([
      {
        path: '/apis/imagehub.sealos.io/v1/repositories/acme.cache',
        options: expect.objectContaining({
          method: 'PATCH',
          contentType: 'application/merge-patch+json',
          bearerToken: 'carol-token',
          body: {
            spec: { description: 'Edited in the hub', keywords: ['Storage', 'cache'], isPrivate: false },
          },
        }),
      },
    ]);
  });

  it('shows the apiserver’s reason when it refuses the user', async () => {
    const { cookie, patch } = await setup();
    // dave cannot see private acme/cache, so edit the public one.
    const response = await patch(
      '/repositories/acme/empty',
      { description: 'x' },
      { cookie: await cookie('dave-token') },
    );
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('dave does not manage acme');
  });

  it('refuses writes without a session (401), from another origin (403), and hidden repositories (404)', async () => {
    const { calls, cookie, patch } = await setup();
    expect((await patch('/repositories/acme/empty', { description: 'x' }, {})).status).toBe(401);
    const carol = await cookie('carol-token');
    const crossSite = await patch(
      '/repositories/acme/cache',
      { description: 'x' },
      { cookie: carol, origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { error: { field: string } }).error.field).toBe('origin');
    const noOriginButCrossSite = await patch(
      '/repositories/acme/cache',
      { description: 'x' },
      {
        cookie: carol,
        origin: '',
        'sec-fetch-site': 'cross-site',
      },
    );
    expect(noOriginButCrossSite.status).toBe(403);
    expect(
      (await patch('/repositories/acme/cache', { description: 'x' }, { cookie: await cookie('dave-token') }))
        .status,
    ).toBe(404);
    expect(calls).toEqual([]);
  });

  it('accepts the Origin of the Host the request was sent to (frameworks may rebuild request.url)', async () => {
    const { cookie, patch } = await setup();
    const response = await patch(
      '/repositories/acme/cache',
      { description: 'behind next start' },
      { cookie: await cookie('carol-token'), origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' },
    );
    expect(response.status).toBe(200);
  });

  it('answers 400 naming the field for unknown fields and wrong types, 413 over the body limit', async () => {
    const { calls, cookie, patch } = await setup();
    const carol = await cookie('carol-token');
    const field = async (body: unknown) => {
      const response = await patch('/repositories/acme/cache', body, { cookie: carol });
      expect(response.status).toBe(400);
      return ((await response.json()) as { error: { field: string } }).error.field;
    };
    expect(await field({ owner: 'me' })).toBe('owner');
    expect(await field({ isPrivate: 'yes' })).toBe('isPrivate');
    expect(await field({ keywords: ['ok', 3] })).toBe('keywords[1]');
    expect(await field({ description: 5 })).toBe('description');
    expect(await field({})).toBe('body');
    expect(await field([])).toBe('body');
    const big = await patch(
      '/repositories/acme/cache',
      JSON.stringify({ docs: 'x'.repeat(1024 * 1024 + 1) }),
      {
        cookie: carol,
      },
    );
    expect(big.status).toBe(413);
    expect(calls).toEqual([]);
  });

  it('sets organization managers and deletes a tag’s Image with its uid precondition', async () => {
    const { calls, cookie, patch, handler, store } = await setup();
    const carol = await cookie('carol-token');
    const managers = await patch(
      '/organizations/acme',
      { managers: ['carol', ' erin ', 'carol'] },
      { cookie: carol },
    );
    expect(managers.status).toBe(200);
    expect(calls[0]).toMatchObject({
      path: '/apis/imagehub.sealos.io/v1/organizations/acme',
      options: { body: { spec: { manager: ['carol', 'erin'] } }, bearerToken: 'carol-token' },
    });
    expect((await patch('/organizations/acme', { managers: 'carol' }, { cookie: carol })).status).toBe(400);
    const image = store.image('labring/redis:7.2');
    if (image) store.upsert({ ...image, metadata: { ...image.metadata, uid: 'u-1' } });
    const deleted = handler(
      new Request(`${base}/repositories/labring/redis/tags/7.2`, {
        method: 'DELETE',
        headers: { cookie: carol, origin: 'http://hub.test' },
      }),
    );
    // The fake apiserver does not remove it from the cache; the handler gives up waiting after a while.
    setTimeout(() => image && store.remove(image), 50);
    expect((await deleted).status).toBe(204);
    expect(calls.at(-1)).toMatchObject({
      path: '/apis/imagehub.sealos.io/v1/images/labring.redis.7.2',
      options: { method: 'DELETE', body: { preconditions: { uid: 'u-1' } } },
    });
  });

  it('creates an Image with its detail as the user, and names the field of a bad one', async () => {
    const { calls, cookie, handler } = await setup();
    const carol = await cookie('carol-token');
    const post = (body: unknown) =>
      handler(
        new Request(`${base}/images`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: carol, origin: 'http://hub.test' },
          body: JSON.stringify(body),
        }),
      );
    const created = await post({
      name: 'acme/new:v1',
      detail: { description: 'New', keywords: ['Storage'] },
    });
    expect(created.status).toBe(201);
    expect(calls).toEqual([
      {
        path: '/apis/imagehub.sealos.io/v1/images',
        options: expect.objectContaining({
          method: 'POST',
          bearerToken: 'carol-token',
          body: expect.objectContaining({
            metadata: expect.objectContaining({ name: 'acme.new.v1' }),
            spec: { name: 'acme/new:v1', detail: { description: 'New', keywords: ['Storage'] } },
          }),
        }),
      },
    ]);
    const field = async (body: unknown) =>
      ((await (await post(body)).json()) as { error: { field: string } }).error.field;
    expect(await field({ name: 'acme/new' })).toBe('name');
    expect(await field({ name: 'acme/new:v2', detail: { ID: 'sha256:x' } })).toBe('detail.ID');
    expect(await field({ name: 'acme/new:v2', detail: { description: 7 } })).toBe('detail.description');
    expect(await field({ name: 'acme/new:v2', owner: 'me' })).toBe('owner');
    expect(calls).toHaveLength(1);
  });
});

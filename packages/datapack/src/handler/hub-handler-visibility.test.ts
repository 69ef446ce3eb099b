import { describe, expect, it } from 'vitest';
import { image, organization, sampleCatalogue } from '../__fixtures__/objects.ts';
import { createHubHandler } from '../index.ts';

const base = 'http://hub.test/api/hub';

// acme (default private) gets an Image whose Repository object does not exist yet; library opens
// new repositories with defaultPrivate: false and gets one too.
function catalogue() {
  const store = sampleCatalogue();
  store.upsert(image('acme/fresh:v1', { description: 'not yet listed' }));
  store.upsert(organization('library', [], 'admin', { defaultPrivate: false }));
  store.upsert(image('library/fresh:v1'));
  return store;
}

async function pack(handler: (request: Request) => Promise<Response>, names: string[], user?: string) {
  const response = await handler(
    new Request(`${base}/datapacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(user === undefined ? {} : { 'x-user': user }) },
      body: JSON.stringify({ type: 'grid', names }),
    }),
  );
  return (await response.json()) as { codes: number; datas: Record<string, unknown>; message?: string };
}

describe('createHubHandler visibility', () => {
  it('answers Images with no Repository object by their Organization default, as missing when private', async () => {
    const handler = createHubHandler({ catalogue: catalogue(), basePath: '/api/hub' });
    const result = await pack(handler, ['acme/fresh:v1', 'acme/cache:v1', 'acme/none:1', 'library/fresh:v1']);
    expect(Object.keys(result.datas)).toEqual(['library/fresh:v1']);
    // Private and non-existent names read the same: nothing tells that the first two exist.
    expect(result.message).toBe('images not found: "acme/fresh:v1", "acme/cache:v1", "acme/none:1".');
  });

  it('admits private repositories through authorize on every route', async () => {
    const handler = createHubHandler({
      catalogue: catalogue(),
      basePath: '/api/hub',
      authorize: (request) => (repo) =>
        request.headers.get('x-user') === 'carol' && repo.organization === 'acme',
    });
    const asCarol = await pack(handler, ['acme/fresh:v1', 'acme/cache:v1'], 'carol');
    expect(Object.keys(asCarol.datas)).toEqual(['acme/fresh:v1', 'acme/cache:v1']);
    expect((await pack(handler, ['acme/fresh:v1'], 'dave')).datas).toEqual({});
    const organizationPage = async (user: string) =>
      (
        (await (
          await handler(new Request(`${base}/organizations/acme`, { headers: { 'x-user': user } }))
        ).json()) as { repos: string[] }
      ).repos;
    expect(await organizationPage('carol')).toEqual(['acme/cache', 'acme/empty']);
    expect(await organizationPage('dave')).toEqual(['acme/empty']);
    const search = async (user: string) =>
      (
        (await (
          await handler(new Request(`${base}/repositories?org=acme`, { headers: { 'x-user': user } }))
        ).json()) as { items: { name: string; isPrivate: boolean }[] }
      ).items;
    expect(await search('carol')).toEqual([
      expect.objectContaining({ name: 'acme/cache', isPrivate: true }),
      expect.objectContaining({ name: 'acme/empty', isPrivate: false }),
    ]);
    expect((await search('dave')).map((i) => i.name)).toEqual(['acme/empty']);
  });
});

import { describe, expect, it } from 'vitest';
import { image, organization, repository } from '../__fixtures__/objects.ts';
import { createCatalogueStore, createHubHandler } from '../index.ts';

// The grid fields of the original's Data, each filled from where it lives: authorIcon from the
// Organization's icon, rating reserved (never written), downloadCount from the Repository status.
describe('createHubHandler grid entries', () => {
  it('fills authorIcon from the Organization and never writes rating', async () => {
    const store = createCatalogueStore();
    store.upsert({
      ...organization('labring', [], 'admin', { defaultPrivate: false }),
      spec: { name: 'labring', creator: 'admin', defaultPrivate: false, icon: 'https://labring.io/logo.svg' },
    });
    store.upsert(organization('plain', [], 'admin', { defaultPrivate: false }));
    store.upsert(
      image('labring/mysql:v8.0.31', { description: 'MySQL', icon: 'https://mysql.com/i.png', size: 5 }),
    );
    store.upsert(repository('labring/mysql', []));
    store.upsert(image('plain/app:v1'));
    store.upsert(repository('plain/app', []));
    const handler = createHubHandler({ catalogue: store, basePath: '/api/hub' });
    const response = await handler(
      new Request('http://hub.test/api/hub/datapacks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'grid', names: ['labring/mysql:v8.0.31', 'plain/app:v1'] }),
      }),
    );
    const pack = (await response.json()) as { codes: number; datas: Record<string, Record<string, unknown>> };
    expect(pack.codes).toBe(1);
    expect(pack.datas['labring/mysql:v8.0.31']).toEqual({
      name: 'labring/mysql:v8.0.31',
      type: 'cluster-image',
      repoName: 'labring/mysql',
      icon: 'https://mysql.com/i.png',
      authorIcon: 'https://labring.io/logo.svg',
      keywords: [],
      size: 5,
      description: 'MySQL',
      downloadCount: 0,
    });
    // An Organization without an icon leaves authorIcon out, as rating always is.
    expect(pack.datas['plain/app:v1']).not.toHaveProperty('authorIcon');
    expect(Object.values(pack.datas).some((d) => 'rating' in d)).toBe(false);
  });
});

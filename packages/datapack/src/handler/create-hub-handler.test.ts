import { DATA_PACK_CODES } from '@hub/api-types';
import { describe, expect, it } from 'vitest';
import { image, sampleCatalogue } from '../__fixtures__/objects.ts';
import { computeDataPack, createHubHandler } from '../index.ts';

const base = 'http://hub.test/api/hub';

describe('createHubHandler', () => {
  const catalogue = sampleCatalogue();
  const handler = createHubHandler({ catalogue, basePath: '/api/hub' });

  it('lists repositories with ETag and Cache-Control, and answers 304 to a matching If-None-Match', async () => {
    const response = await handler(new Request(`${base}/repositories?q=my&limit=5`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('max-age=');
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^W\/".+"$/);
    const body = (await response.json()) as { items: { name: string }[]; total: number; nextCursor: null };
    expect(body.items.map((i) => i.name)).toEqual(['labring/mysql']);
    expect(body.total).toBe(1);
    const again = await handler(
      new Request(`${base}/repositories?q=my&limit=5`, { headers: { 'if-none-match': etag ?? '' } }),
    );
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await handler(
      new Request(`${base}/repositories?q=redis`, { headers: { 'if-none-match': etag ?? '' } }),
    );
    expect(other.status).toBe(200);
  });

  it('filters by repeated keyword params (AND) and org', async () => {
    const names = async (query: string) =>
      (
        (await (await handler(new Request(`${base}/repositories?${query}`))).json()) as {
          items: { name: string }[];
        }
      ).items.map((i) => i.name);
    expect(await names('keyword=Database')).toEqual(['labring/mysql', 'labring/redis']);
    expect(await names('keyword=Database&keyword=cache')).toEqual(['labring/redis']);
    expect(await names('org=library')).toEqual(['library/nginx']);
    expect(await names('sort=updated&limit=1')).toEqual(['labring/mysql']);
  });

  it('returns a repository with docs and every tag, 404 when missing or private', async () => {
    const response = await handler(new Request(`${base}/repositories/labring/mysql`));
    expect(response.status).toBe(200);
    const detail = (await response.json()) as {
      docs: string;
      tags: { name: string }[];
      latestTag: { name: string };
    };
    expect(detail.docs).toBe('# MySQL v8.0.31\n\nThe database.');
    expect(detail.tags.map((t) => t.name)).toEqual(['v8.0.31', 'v8.0.25', 'v5.7']);
    for (const path of ['repositories/labring/nope', 'repositories/acme/cache']) {
      const missing = await handler(new Request(`${base}/${path}`));
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({
        error: { code: 'NOT_FOUND', message: `repository ${path.slice(13)} does not exist.`, field: 'path' },
      });
    }
  });

  it('shows private repositories when authorize admits them', async () => {
    const authorized = createHubHandler({
      catalogue,
      basePath: '/api/hub',
      authorize: (request) => {
        const user = request.headers.get('x-user');
        return (repo) => user === 'carol' && repo.organization === 'acme';
      },
    });
    const asCarol = await authorized(
      new Request(`${base}/repositories/acme/cache`, { headers: { 'x-user': 'carol' } }),
    );
    expect(asCarol.status).toBe(200);
    expect(asCarol.headers.get('cache-control')).toBe('private, no-cache');
    const asDave = await authorized(
      new Request(`${base}/repositories/acme/cache`, { headers: { 'x-user': 'dave' } }),
    );
    expect(asDave.status).toBe(404);
    const org = (await (
      await authorized(new Request(`${base}/organizations/acme`, { headers: { 'x-user': 'carol' } }))
    ).json()) as {
      repos: string[];
    };
    expect(org.repos).toEqual(['acme/cache', 'acme/empty']);
  });

  it('returns an organization', async () => {
    const response = await handler(new Request(`${base}/organizations/labring`));
    expect(await response.json()).toEqual({
      name: 'labring',
      creator: 'alice',
      managers: ['alice', 'bob'],
      repos: ['labring/mysql', 'labring/redis'],
    });
    expect((await handler(new Request(`${base}/organizations/none`))).status).toBe(404);
  });

  it('computes a DataPack in direct mode', async () => {
    const response = await handler(
      new Request(`${base}/datapacks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'grid', names: ['labring/redis:7.2', 'labring/redis:6'] }),
      }),
    );
    expect(response.status).toBe(200);
    const result = (await response.json()) as {
      codes: number;
      datas: Record<string, unknown>;
      message: string;
    };
    expect(result.codes).toBe(DATA_PACK_CODES.ERROR);
    expect(Object.keys(result.datas)).toEqual(['labring/redis:7.2']);
    expect(result.message).toContain('"labring/redis:6"');
  });

  it('serializes packs exactly as JSON.stringify, and never serves an entry older than the catalogue', async () => {
    const store = sampleCatalogue();
    const own = createHubHandler({ catalogue: store, basePath: '/api/hub' });
    const spec = { type: 'detail', names: ['labring/mysql:v8.0.31', 'labring/redis:7.2', 'labring/none:1'] };
    const post = async () =>
      (
        await own(
          new Request(`${base}/datapacks`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(spec),
          }),
        )
      ).text();
    expect(await post()).toBe(JSON.stringify(computeDataPack(spec, store)));
    expect(await post()).toBe(JSON.stringify(computeDataPack(spec, store))); // from the entry cache
    store.upsert(image('labring/redis:7.2', { description: 'changed', creatTime: '2024-02-01T00:00:00Z' }));
    const after = await post();
    expect(after).toBe(JSON.stringify(computeDataPack(spec, store)));
    expect(after).toContain('"description":"changed"');
  });

  it('answers 400 naming the bad field', async () => {
    const cases: [RequestInit & { path: string }, string][] = [
      [{ path: 'repositories?limit=abc' }, 'limit'],
      [{ path: 'repositories?limit=1000' }, 'limit'],
      [{ path: 'repositories?sort=stars' }, 'sort'],
      [{ path: 'repositories?cursor=xyz' }, 'cursor'],
      [
        { path: 'datapacks', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' },
        'body',
      ],
      [
        { path: 'datapacks', method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' },
        'content-type',
      ],
      [
        {
          path: 'datapacks',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"type":"full","names":["a/b:c"]}',
        },
        'type',
      ],
      [
        {
          path: 'datapacks',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"type":"base","names":["a/b:c","a/:b"]}',
        },
        'names[1]',
      ],
      [
        {
          path: 'datapacks',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"type":"base","names":[]}',
        },
        'names',
      ],
    ];
    for (const [{ path, ...init }, field] of cases) {
      const response = await handler(new Request(`${base}/${path}`, init));
      expect(response.status, path).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string; field: string } };
      expect(body.error.field, path).toBe(field);
      expect(body.error.message.length).toBeGreaterThan(10);
    }
  });

  it('answers 404 and 405 for unknown routes and methods', async () => {
    expect((await handler(new Request(`${base}/nothing`))).status).toBe(404);
    expect((await handler(new Request('http://hub.test/elsewhere'))).status).toBe(404);
    expect((await handler(new Request(`${base}/datapacks`))).status).toBe(405);
    expect((await handler(new Request(`${base}/repositories`, { method: 'DELETE' }))).status).toBe(405);
  });

  it('never leaks internals: an unexpected failure is a plain INTERNAL', async () => {
    const broken = createHubHandler({
      catalogue: {
        ...catalogue,
        revision: 0,
        repositories: () => {
          throw new Error('secret token abc123 at /srv/internal/file.ts');
        },
      },
      basePath: '/api/hub',
    });
    const response = await broken(new Request(`${base}/repositories`));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain('abc123');
    expect(JSON.parse(text)).toEqual({
      error: { code: 'INTERNAL', message: 'internal error; the server log has details.' },
    });
  });

  it('waits for the catalogue to sync, then 503 NOT_READY after the timeout', async () => {
    const never = createHubHandler({
      catalogue: {
        ...catalogue,
        revision: 0,
        repositories: catalogue.repositories,
        ready: () => new Promise<void>(() => {}),
      },
      basePath: '/api/hub',
      readyTimeoutMs: 20,
    });
    const response = await never(new Request(`${base}/repositories`));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_READY');
  });
});

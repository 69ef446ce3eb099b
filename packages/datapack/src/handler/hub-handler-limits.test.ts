import { describe, expect, it } from 'vitest';
import { countingStream } from '../__fixtures__/counting-stream.ts';
import { image, repository, sampleCatalogue } from '../__fixtures__/objects.ts';
import { computeDataPack, createCatalogueStore, createHubHandler } from '../index.ts';

const url = 'http://hub.test/api/hub/datapacks';
const MiB = 1024 * 1024;

describe('createHubHandler request limits', () => {
  const handler = createHubHandler({ catalogue: sampleCatalogue(), basePath: '/api/hub' });

  async function refused(response: Response): Promise<void> {
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string; field: string } }).error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      field: 'body',
    });
  }

  it('answers 413 to a Content-Length over 1 MiB without reading the body', async () => {
    const { stream, state } = countingStream(8 * MiB, 64 * 1024);
    const request = new Request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(8 * MiB) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await refused(await handler(request));
    expect(state.pulled).toBe(0);
  });

  it('answers 413 to a streamed body as soon as it passes 1 MiB', async () => {
    const { stream, state } = countingStream(64 * MiB, 64 * 1024);
    const request = new Request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await refused(await handler(request));
    expect(state.pulled).toBe(MiB + 64 * 1024);
    expect(state.cancelled).toBe(true);
  });

  it('serves each pack its own README cuts, though entries are reused between packs', async () => {
    const store = createCatalogueStore();
    for (const repo of ['a/one', 'a/two', 'a/three']) {
      store.upsert(image(`${repo}:1`, { docs: 'z'.repeat(200_000) }));
      store.upsert(repository(repo));
    }
    const own = createHubHandler({ catalogue: store, basePath: '/api/hub' });
    const post = async (names: string[]) =>
      (
        await own(
          new Request(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'detail', names }),
          }),
        )
      ).text();
    // Same revision throughout: a whole README, then cut ones, then the whole one again.
    for (const names of [['a/one:1'], ['a/one:1', 'a/two:1', 'a/three:1'], ['a/one:1']]) {
      expect(await post(names)).toBe(JSON.stringify(computeDataPack({ type: 'detail', names }, store)));
    }
  });
});

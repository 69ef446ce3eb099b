import { describe, expect, it } from 'vitest';
import { image, repository, tag } from '../__fixtures__/objects.ts';
import { createCatalogueStore, repositoryDetail } from '../index.ts';

describe('repositoryDetail tags', () => {
  it('carry the digest and platforms hub-index recorded, and when the Image was first seen', () => {
    const store = createCatalogueStore();
    const repo = repository('o/app', [
      tag('v2', '2024-02-01T00:00:00Z', 1, 'o.app.v2'),
      tag('v1', '2024-01-01T00:00:00Z', 1, 'o.app.v1'),
    ]);
    store.upsert(repo);
    const v2 = image('o/app:v2', { digest: 'sha256:abc', platforms: ['linux/amd64', 'linux/arm64'] });
    store.upsert({ ...v2, metadata: { ...v2.metadata, creationTimestamp: '2024-06-01T00:00:00Z' } });
    store.upsert(image('o/app:v1', { arch: 'arm64' }));
    expect(repositoryDetail(repo, store).tags).toEqual([
      expect.objectContaining({
        name: 'v2',
        digest: 'sha256:abc',
        platforms: ['linux/amd64', 'linux/arm64'],
        pushTime: '2024-06-01T00:00:00Z',
      }),
      // Before hub-index recorded platforms: the single arch.
      expect.objectContaining({ name: 'v1', platforms: ['linux/arm64'] }),
    ]);
    expect(repositoryDetail(repo, store).tags[1]).not.toHaveProperty('digest');
  });
});

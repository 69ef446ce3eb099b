import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaveError, saveImages } from '@hub/image-save';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-save-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('saveImages input handling (no registry reachable)', () => {
  it('rejects two sources landing on the same repository:tag, and malformed references, per image', async () => {
    const { images, summary } = await saveImages({
      images: ['127.0.0.1:1/team/app:v1', '127.0.0.1:2/team/app:v1', 'UPPER/case:1'],
      dir,
      plainHttp: ['127.0.0.1:1', '127.0.0.1:2'],
      auth: false,
      retry: { attempts: 1 },
    });
    expect(summary).toMatchObject({ images: 3, saved: 0, failed: 3 });
    expect(images[1]?.error).toBeInstanceOf(SaveError);
    expect(images[1]?.error?.code).toBe('repository-collision');
    expect(images[1]?.error?.message).toContain('team/app:v1');
    expect(images[2]?.error?.code).toBe('invalid-reference');
    // The first image failed on the network, not on the collision.
    expect(images[0]?.error?.code).toBe('registry');
  });

  it('keeps the registry host in the repository path when asked, so no collision', async () => {
    const { images } = await saveImages({
      images: ['127.0.0.1:1/team/app:v1', '127.0.0.1:2/team/app:v1'],
      dir,
      plainHttp: ['127.0.0.1:1', '127.0.0.1:2'],
      keepRegistryHost: true,
      auth: false,
      retry: { attempts: 1 },
    });
    expect(images.map((r) => r.repository)).toEqual(['127.0.0.1_1/team/app', '127.0.0.1_2/team/app']);
    expect(images.every((r) => r.error?.code === 'registry')).toBe(true);
  });

  it('refuses conflicting platform options', async () => {
    await expect(
      saveImages({ images: ['a:1'], dir, arch: 'amd64', allPlatforms: true }),
    ).rejects.toMatchObject({
      code: 'invalid-option',
    });
  });
});

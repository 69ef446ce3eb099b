import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { README_MAX_BYTES } from '@hub/api-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIndexError } from './index-error.ts';
import { readReadmeOverrides } from './readme-overrides.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-index-readme-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readReadmeOverrides', () => {
  it('accepts a --readme file up to README_MAX_BYTES, the limit of READMEs read from images', async () => {
    const file = join(dir, 'at-limit.md');
    await writeFile(file, 'x'.repeat(README_MAX_BYTES));
    const overrides = await readReadmeOverrides([`tool:1.0=${file}`]);
    expect(overrides.byRef.get('tool:1.0')).toHaveLength(README_MAX_BYTES);
  });

  it('refuses a longer one, saying the limit', async () => {
    const file = join(dir, 'over.md');
    await writeFile(file, 'x'.repeat(README_MAX_BYTES + 1));
    const error = await readReadmeOverrides([file]).catch((e: unknown) => e);
    expect(isIndexError(error) && error.code).toBe('README_UNREADABLE');
    expect((error as Error).message).toContain(`${README_MAX_BYTES}-byte README limit`);
  });
});

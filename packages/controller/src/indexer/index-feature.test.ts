import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/flag-table.ts';
import type { Manager } from '../manager.ts';
import { createLogger } from '../runtime/logger.ts';
import { INDEX_FEATURE, INDEX_FLAGS } from './index-feature.ts';

const log = createLogger(() => {});
const signal = new AbortController().signal;
// The feature only reaches for the manager when indexing is on; these cases stop before that.
const manager = {} as Manager;

describe('INDEX_FEATURE', () => {
  it('declares its flags with the 10m default', () => {
    expect(INDEX_FLAGS.flags.map((f) => f.name)).toEqual([
      'index-registry',
      'index-interval',
      'index-repository',
      'index-plain-http',
      'index-prune',
    ]);
    expect(INDEX_FLAGS.flags.find((f) => f.name === 'index-interval')?.default).toBe('10m');
  });

  it('starts nothing without --index-registry, and refuses a bad interval', async () => {
    expect(await INDEX_FEATURE.start?.({ values: {}, manager, log, signal })).toBeUndefined();
    for (const interval of ['10 minutes', '1d', '500ms'])
      await expect(
        INDEX_FEATURE.start?.({
          values: { 'index-registry': 'r:5000', 'index-interval': interval },
          manager,
          log,
          signal,
        }),
      ).rejects.toBeInstanceOf(UsageError);
  });
});

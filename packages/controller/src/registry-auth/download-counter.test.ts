import { describe, expect, it } from 'vitest';
import { createDownloadCounter } from './download-counter.ts';

describe('createDownloadCounter', () => {
  it('writes one batched delta per repository per flush', async () => {
    const writes: [string, number][] = [];
    const counter = createDownloadCounter({
      write: async (n, d) => void writes.push([n, d]),
      intervalMs: 3_600_000,
    });
    for (const name of ['a', 'b', 'a', 'a']) counter.record(name);
    await counter.flush();
    expect(writes).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    await counter.flush();
    expect(writes).toHaveLength(2);
    await counter.stop();
  });

  it('keeps a failed count for the next round', async () => {
    let fail = true;
    const writes: [string, number][] = [];
    const errors: string[] = [];
    const counter = createDownloadCounter({
      write: async (n, d) => {
        if (fail) throw new Error('conflict');
        writes.push([n, d]);
      },
      intervalMs: 3_600_000,
      onError: (name) => errors.push(name),
    });
    counter.record('a');
    await counter.flush();
    expect(errors).toEqual(['a']);
    counter.record('a');
    fail = false;
    await counter.flush();
    expect(writes).toEqual([['a', 2]]);
    await counter.stop();
  });

  it('never runs two rounds at once, and stop flushes what is left', async () => {
    let release: () => void = () => {};
    const writes: [string, number][] = [];
    const counter = createDownloadCounter({
      write: (n, d) =>
        new Promise<void>((resolve) => {
          writes.push([n, d]);
          release = resolve;
        }),
      intervalMs: 3_600_000,
    });
    counter.record('a');
    const first = counter.flush();
    counter.record('a');
    const second = counter.flush();
    expect(second).toBe(first);
    release();
    await first;
    expect(counter.pending().get('a')).toBe(1);
    const stopped = counter.stop();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await stopped;
    expect(writes).toEqual([
      ['a', 1],
      ['a', 1],
    ]);
  });

  it('flushes on its interval', async () => {
    const writes: string[] = [];
    const counter = createDownloadCounter({ write: async (n) => void writes.push(n), intervalMs: 20 });
    counter.record('a');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(writes).toEqual(['a']);
    await counter.stop();
  });
});

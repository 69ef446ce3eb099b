import { describe, expect, it } from 'vitest';
import { createControllerMetrics } from './metrics.ts';
import { bucketRateLimiter, exponentialFailureRateLimiter, maxOfRateLimiter } from './rate-limiter.ts';
import { createWorkQueue } from './work-queue.ts';

const noDelay = { when: () => 0, forget: () => {}, retries: () => 0 };

describe('createWorkQueue', () => {
  it('collapses adds of a waiting key into one', async () => {
    const q = createWorkQueue<string>({ name: 't', rateLimiter: noDelay });
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
  });

  it('never hands a key to two workers; a re-add during processing comes back after done', async () => {
    const q = createWorkQueue<string>({ name: 't', rateLimiter: noDelay });
    q.add('a');
    const first = await q.get();
    q.add('a');
    q.add('a');
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => {
      second = k;
    });
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(first as string);
    await Promise.resolve();
    expect(second).toBe('a');
    expect(q.processing).toBe(1);
  });

  it('delays addAfter and addRateLimited, keeps the earliest, and forgets retries', async () => {
    const q = createWorkQueue<string>({ name: 't', rateLimiter: exponentialFailureRateLimiter(5, 1000) });
    q.addRateLimited('x');
    q.addRateLimited('x');
    expect(q.numRequeues('x')).toBe(2);
    expect(q.length).toBe(0);
    expect(await q.get()).toBe('x');
    q.forget('x');
    expect(q.numRequeues('x')).toBe(0);
    q.addAfter('y', 10_000);
    q.addAfter('y', 5);
    const started = Date.now();
    q.done('x');
    expect(await q.get()).toBe('y');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('releases waiting workers with undefined on shutdown and ignores later adds', async () => {
    const q = createWorkQueue<string>({ name: 't', metrics: createControllerMetrics() });
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('late');
    expect(q.length).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it('reports depth, adds and retries under the workqueue metric names', async () => {
    const metrics = createControllerMetrics();
    const q = createWorkQueue<string>({ name: 'image', metrics, rateLimiter: noDelay });
    q.add('a');
    q.add('b');
    q.addRateLimited('c');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/workqueue_adds_total\{name="image",controller="image"\} 3/);
    expect(text).toMatch(/workqueue_retries_total\{name="image",controller="image"\} 1/);
    expect(text).toMatch(/workqueue_depth\{name="image",controller="image"\} 3/);
    q.shutDown();
  });
});

describe('rate limiters', () => {
  it('doubles per item up to the cap', () => {
    const l = exponentialFailureRateLimiter<string>(5, 40);
    expect([l.when('a'), l.when('a'), l.when('a'), l.when('a'), l.when('a')]).toEqual([5, 10, 20, 40, 40]);
    expect(l.when('b')).toBe(5);
  });

  it('spreads a burst beyond the bucket at qps, and the max of both wins', () => {
    let now = 0;
    const bucket = bucketRateLimiter<string>(10, 2, () => now);
    expect([bucket.when('a'), bucket.when('b'), bucket.when('c'), bucket.when('d')]).toEqual([
      0, 0, 100, 200,
    ]);
    now = 10_000;
    expect(bucket.when('e')).toBe(0);
    const both = maxOfRateLimiter(
      exponentialFailureRateLimiter<string>(1000, 10_000),
      bucketRateLimiter<string>(10, 100),
    );
    expect(both.when('k')).toBe(1000);
  });
});

import { HubError } from '@hub/api-types/errors';
import type { SharedInformerFactory } from '@hub/datapack';
import type { ReconcileClient } from '@hub/reconcilers';
import { describe, expect, it } from 'vitest';
import { createController } from './controller.ts';
import { createLogger } from './logger.ts';
import { createControllerMetrics } from './metrics.ts';

const client = {} as ReconcileClient;
const factory = {} as SharedInformerFactory;

async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !probe(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(probe()).toBe(true);
}

describe('createController', () => {
  it('retries crashes and retryable errors, drops terminal ones, honours requeueAfter, never runs a key twice at once', async () => {
    const calls: Record<string, number> = {};
    let running = 0;
    let overlap = false;
    const metrics = createControllerMetrics();
    const controller = createController({
      definition: {
        name: 'test',
        kind: 'Image',
        watches: [],
        async reconcile(name) {
          calls[name] = (calls[name] ?? 0) + 1;
          if (name === 'slow') {
            running++;
            if (running > 1) overlap = true;
            await new Promise((r) => setTimeout(r, 20));
            running--;
            return undefined;
          }
          if (name === 'crash' && calls[name] < 3) throw new TypeError('undefined is not a function');
          if (name === 'flaky' && calls[name] < 2)
            throw new HubError('CONFLICT', 'try again', { retryable: true });
          if (name === 'terminal') throw new HubError('INVALID', 'never works');
          if (name === 'later' && calls[name] === 1) return { requeueAfterMs: 10 };
          return undefined;
        },
      },
      factory,
      client,
      metrics,
      log: createLogger(() => {}),
      concurrency: 4,
    });
    const stop = new AbortController();
    const run = controller.run(stop.signal, new AbortController().signal);
    for (const key of ['crash', 'flaky', 'terminal', 'later', 'slow']) controller.queue.add(key);
    controller.queue.add('slow');
    await until(() => calls.crash === 3 && calls.flaky === 2 && calls.later === 2);
    await until(() => controller.queue.length === 0 && controller.queue.processing === 0);
    controller.queue.add('slow');
    controller.queue.add('slow');
    await until(() => calls.slow !== undefined && calls.slow >= 2 && controller.queue.processing === 0);
    expect(overlap).toBe(false);
    expect(calls.terminal).toBe(1);
    stop.abort();
    await run;
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/controller_runtime_reconcile_panics_total\{controller="test"\} 2/);
    expect(text).toMatch(/controller_runtime_terminal_reconcile_errors_total\{controller="test"\} 1/);
    expect(text).toMatch(/controller_runtime_reconcile_total\{controller="test",result="requeue_after"\} 1/);
  });
});

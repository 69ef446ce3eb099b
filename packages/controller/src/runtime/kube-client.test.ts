import { KubeApiError, type KubeRequestOptions, type KubeTransport } from '@hub/datapack';
import type { CacheView, KubeObject } from '@hub/reconcilers';
import { describe, expect, it } from 'vitest';
import { isControllerError } from '../errors.ts';
import { createKubeClient } from './kube-client.ts';

/** A transport whose requests never answer: only their signal ends them. */
function hangingTransport() {
  const sent: Array<{ path: string; opts: KubeRequestOptions }> = [];
  const transport = {
    server: 'https://127.0.0.1:6443',
    request(path: string, opts: KubeRequestOptions) {
      sent.push({ path, opts });
      return new Promise((_, reject) => {
        const aborted = () => reject(new KubeApiError('ABORTED', `${path}: aborted`));
        if (opts.signal?.aborted) aborted();
        else opts.signal?.addEventListener('abort', aborted, { once: true });
      });
    },
  } as unknown as KubeTransport;
  return { transport, sent };
}

const image: KubeObject = {
  apiVersion: 'imagehub.sealos.io/v1',
  kind: 'Image',
  metadata: { name: 'team.app.v1' },
};
const ref = { apiVersion: 'imagehub.sealos.io/v1', kind: 'Image', name: 'team.app.v1' };
const cache = {} as CacheView;

describe('createKubeClient', () => {
  it('aborts its writes in flight the moment the fence aborts, and sends none afterwards', async () => {
    const { transport, sent } = hangingTransport();
    const fence = new AbortController();
    const client = createKubeClient({ transport, cache, fence: fence.signal });
    const applying = client.apply(image).catch((error: unknown) => error);
    const deleting = client.delete({ ...ref, name: 'team.app.v2' }).catch((error: unknown) => error);
    fence.abort();
    expect(await applying).toMatchObject({ code: 'ABORTED' });
    expect(await deleting).toMatchObject({ code: 'ABORTED' });
    const before = sent.length;

    const refused = await client.applyStatus(image).catch((error: unknown) => error);
    expect(isControllerError(refused) && refused.code).toBe('LEADERSHIP_LOST');
    await expect(client.delete(ref)).rejects.toMatchObject({
      code: 'LEADERSHIP_LOST',
    });
    client.recordEvent(ref, { type: 'Normal', reason: 'Synced', message: 'synced' });
    await expect(client.withSignal(new AbortController().signal).apply(image)).rejects.toMatchObject({
      code: 'LEADERSHIP_LOST',
    });
    expect(sent.length).toBe(before);
  });

  it("aborts a reconcile's requests with that reconcile's signal only", async () => {
    const { transport } = hangingTransport();
    const client = createKubeClient({ transport, cache });
    const first = new AbortController();
    const second = new AbortController();
    const aborted = client
      .withSignal(first.signal)
      .apply(image)
      .catch((error: unknown) => error);
    let settled = false;
    void client
      .withSignal(second.signal)
      .apply(image)
      .finally(() => {
        settled = true;
      })
      .catch(() => {});
    first.abort();
    expect(await aborted).toMatchObject({ code: 'ABORTED' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    second.abort();
  });
});

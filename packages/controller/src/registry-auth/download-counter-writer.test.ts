import { KubeApiError, type KubeRequestOptions, type KubeTransport } from '@hub/datapack';
import { describe, expect, it } from 'vitest';
import { kubernetesDownloadCountWriter } from './download-counter.ts';

/** A transport answering GETs with resourceVersion `rv` and count 7, failing the first `conflicts` patches with 409. */
function fakeTransport(conflicts: number, missing = false) {
  const calls: Array<{ path: string; opts: KubeRequestOptions; at: number }> = [];
  const transport = {
    server: 'https://fake',
    async request(path: string, opts: KubeRequestOptions) {
      calls.push({ path, opts, at: performance.now() });
      if (missing) throw new KubeApiError('NOT_FOUND', 'gone', { status: 404 });
      if (opts.verb === 'get')
        return { metadata: { resourceVersion: `rv${calls.length}` }, status: { downloadCount: 7 } };
      if (conflicts-- > 0) throw new KubeApiError('CONFLICT', 'conflict', { status: 409, retryable: true });
      return {};
    },
  } as unknown as KubeTransport;
  return { transport, calls };
}

describe('kubernetesDownloadCountWriter', () => {
  it('merge-patches the status guarded by the resourceVersion it read', async () => {
    const { transport, calls } = fakeTransport(0);
    await kubernetesDownloadCountWriter(transport)('team.app', 3);
    expect(calls.map((c) => `${c.opts.verb} ${c.path}`)).toEqual([
      'get /apis/imagehub.sealos.io/v1/repositories/team.app/status',
      'patch /apis/imagehub.sealos.io/v1/repositories/team.app/status',
    ]);
    expect(calls[1]?.opts).toMatchObject({
      contentType: 'application/merge-patch+json',
      body: { metadata: { resourceVersion: 'rv1' }, status: { downloadCount: 10 } },
    });
  });

  it('re-reads after a 409 and retries after a backoff, not at once', async () => {
    const { transport, calls } = fakeTransport(1);
    const write = kubernetesDownloadCountWriter(transport, {
      retry: { baseDelayMs: 40, maxDelayMs: 40, jitter: 0 },
    });
    await write('team.app', 1);
    expect(calls.map((c) => c.opts.verb)).toEqual(['get', 'patch', 'get', 'patch']);
    expect((calls[2]?.at ?? 0) - (calls[1]?.at ?? 0)).toBeGreaterThanOrEqual(35);
    expect(calls[3]?.opts.body).toMatchObject({ metadata: { resourceVersion: 'rv3' } });
  });

  it('gives up with DOWNLOAD_COUNT_FAILED after its tries, and drops the count of a deleted Repository', async () => {
    const busy = fakeTransport(99);
    await expect(
      kubernetesDownloadCountWriter(busy.transport, {
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      })('r', 1),
    ).rejects.toMatchObject({ code: 'DOWNLOAD_COUNT_FAILED', retryable: true });
    await expect(
      kubernetesDownloadCountWriter(fakeTransport(0, true).transport)('r', 1),
    ).resolves.toBeUndefined();
  });
});

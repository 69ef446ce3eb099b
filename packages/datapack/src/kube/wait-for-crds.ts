import { sleep } from '@hub/api-types/retry';
import { KubeApiError } from './kube-api-error.ts';
import type { KubeTransport } from './kube-transport.ts';
import { KUBE_RESOURCES, objectPath } from './resource.ts';

interface CrdStatus {
  status?: { conditions?: Array<{ type?: string; status?: string }> };
}

/**
 * The runtime's one "wait for the CRD": polls each CustomResourceDefinition every `intervalMs` until its
 * Established condition is True (the apiserver then serves the kind). Throws a KubeApiError `TIMEOUT` naming
 * the first CRD still not Established at the deadline; rejects at once when `signal` aborts.
 */
export async function waitForCrds(
  transport: KubeTransport,
  names: readonly string[],
  options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await transport.request<CrdStatus>(
        objectPath(KUBE_RESOURCES.CustomResourceDefinition, name),
        {
          verb: 'get',
          ...(options.signal ? { signal: options.signal } : {}),
        },
      );
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new KubeApiError('TIMEOUT', `CRD ${name} was not Established within ${timeoutMs} ms`, {
          retryable: true,
        });
      await sleep(options.intervalMs ?? 100, options.signal);
    }
  }
}

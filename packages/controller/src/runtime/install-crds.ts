import { buildCustomResourceDefinitions } from '@hub/api-types';
import { type KubeTransport, sleep } from '@hub/datapack';
import { ControllerError } from '../errors.ts';

interface CrdStatus {
  status?: { conditions?: Array<{ type?: string; status?: string }> };
}

/** Server-side applies the hub CRDs (field manager `hub-controller`, forced) and waits until each is Established. */
export async function installCrds(
  transport: KubeTransport,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<string[]> {
  const crds = buildCustomResourceDefinitions() as unknown as Array<{ metadata: { name: string } }>;
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  for (const crd of crds) {
    await transport.request(`${base}/${crd.metadata.name}`, {
      verb: 'apply',
      method: 'PATCH',
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'hub-controller', force: true },
      body: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', ...crd },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (const crd of crds) {
    for (;;) {
      const current = await transport.request<CrdStatus>(`${base}/${crd.metadata.name}`, { verb: 'get' });
      const established = current.status?.conditions?.some(
        (c) => c.type === 'Established' && c.status === 'True',
      );
      if (established) break;
      if (Date.now() > deadline) {
        throw new ControllerError(
          'CRD_NOT_ESTABLISHED',
          `CRD ${crd.metadata.name} was not Established in time; check the apiserver log`,
        );
      }
      await sleep(100, options.signal);
      if (options.signal?.aborted) throw options.signal.reason;
    }
  }
  return crds.map((crd) => crd.metadata.name);
}

import { buildCustomResourceDefinitions } from '@hub/api-types';
import { isKubeApiError, type KubeTransport, waitForCrds } from '@hub/datapack';
import { ControllerError } from '../errors.ts';

/**
 * Server-side applies the hub CRDs, or `options.crds` (the KubePkg CRD for --kubepkg), with field manager
 * `hub-controller`, forced, and waits until each is Established.
 */
export async function installCrds(
  transport: KubeTransport,
  options: { timeoutMs?: number; signal?: AbortSignal; crds?: readonly object[] } = {},
): Promise<string[]> {
  const crds = (options.crds ?? buildCustomResourceDefinitions()) as unknown as Array<{
    metadata: { name: string };
  }>;
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
  try {
    await waitForCrds(
      transport,
      crds.map((crd) => crd.metadata.name),
      options,
    );
  } catch (error) {
    if (!isKubeApiError(error) || error.code !== 'TIMEOUT') throw error;
    throw new ControllerError('CRD_NOT_ESTABLISHED', `${error.message}; check the apiserver log`, {
      cause: error,
    });
  }
  return crds.map((crd) => crd.metadata.name);
}

import { KUBE_RESOURCES, type KubeResource } from '@hub/datapack';
import { ControllerError } from '../errors.ts';

/** Kinds only the controller's features use (the KubePkg controller and webhook). */
const CONTROLLER_RESOURCES: Readonly<Record<string, KubeResource>> = {
  KubePkg: {
    group: 'octohelm.tech',
    version: 'v1alpha1',
    plural: 'kubepkgs',
    kind: 'KubePkg',
    namespaced: true,
  },
};

/** The resource of `kind` (catalogue kinds, RBAC, Events, Leases, webhook configurations). */
export function resourceOfKind(kind: string): KubeResource {
  const resource = (KUBE_RESOURCES as Record<string, KubeResource>)[kind] ?? CONTROLLER_RESOURCES[kind];
  if (!resource) {
    throw new ControllerError(
      'UNKNOWN_KIND',
      `the controller does not know kind ${JSON.stringify(kind)}; add it to KUBE_RESOURCES`,
    );
  }
  return resource;
}

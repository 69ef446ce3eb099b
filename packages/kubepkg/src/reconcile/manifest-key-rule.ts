import { manifestKey } from '../manifests/manifest-key.ts';
import type { KubernetesManifest } from '../spec/kubepkg-schema.ts';

/** `ConfigMap` → `configMaps`, `Ingress` → `ingresses`, `NetworkPolicy` → `networkPolicies`. */
function camelPlural(kind: string): string {
  const camel = kind.charAt(0).toLowerCase() + kind.slice(1);
  if (/(s|x|z|ch|sh)$/.test(camel)) return `${camel}es`;
  if (/[^aeiou]y$/.test(camel)) return `${camel.slice(0, -1)}ies`;
  return `${camel}s`;
}

/**
 * The keys a manifest may have in `spec.manifests`: the documented rule (`<name>.<namespace>.<kind>`, or
 * `<name>.<kind>` for an object without a namespace), and what octohelm's nested form flattens to
 * (`configMaps.<name>`, `deployments.<name>`).
 */
export function allowedManifestKeys(manifest: KubernetesManifest): string[] {
  const name = manifest.metadata?.name ?? manifest.metadata?.generateName ?? '';
  return [manifestKey(manifest), `${camelPlural(manifest.kind)}.${name}`];
}

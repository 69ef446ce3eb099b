import type { KubernetesManifest } from '../spec/kubepkg-schema.ts';

/**
 * The `spec.manifests` key of an object: `<name>.<namespace>.<kind>` with the kind lower-cased, as in
 * octohelm's examples (`web.default.deployment`). Objects without a namespace (cluster-scoped, or
 * namespaced ones meant for the apply namespace) drop that segment: `<name>.<kind>`.
 */
export function manifestKey(manifest: KubernetesManifest): string {
  const name = manifest.metadata?.name ?? manifest.metadata?.generateName ?? '';
  const namespace = manifest.metadata?.namespace;
  const kind = manifest.kind.toLowerCase();
  return namespace ? `${name}.${namespace}.${kind}` : `${name}.${kind}`;
}

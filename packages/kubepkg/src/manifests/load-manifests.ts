import { parseAllDocuments } from 'yaml';
import { KubePkgError } from '../errors.ts';
import {
  KUBEPKG_API_VERSION,
  type KubePkg,
  type KubernetesManifest,
  KubernetesManifestSchema,
} from '../spec/kubepkg-schema.ts';
import { formatIssuePath } from '../spec/safe-parse.ts';
import { collectImages } from './collect-images.ts';
import { manifestKey } from './manifest-key.ts';

/**
 * Kubernetes objects from YAML or JSON text (multi-document YAML; `kind: List` / `*List` items are
 * flattened; empty documents are skipped). `source` names the input in error messages.
 */
export function parseManifests(text: string, source = 'input'): KubernetesManifest[] {
  const out: KubernetesManifest[] = [];
  const documents = parseAllDocuments(text, { prettyErrors: true });
  for (const [index, document] of (Array.isArray(documents) ? documents : [documents]).entries()) {
    if (document.errors.length > 0) {
      throw new KubePkgError(
        'INVALID_MANIFEST',
        `${source}: document ${index + 1} is not valid YAML: ${document.errors[0]?.message ?? ''}`,
        { subject: source, cause: document.errors[0] },
      );
    }
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    flatten(value, `${source}#${index + 1}`, out);
  }
  return out;
}

function flatten(value: unknown, where: string, out: KubernetesManifest[]): void {
  const parsed = KubernetesManifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KubePkgError(
      'INVALID_MANIFEST',
      `${where}: not a Kubernetes object (${issue ? `${formatIssuePath(issue.path)}: ${issue.message}` : 'invalid'}); every document needs apiVersion and kind.`,
      { subject: where, cause: parsed.error },
    );
  }
  const items = (parsed.data as { items?: unknown }).items;
  if (parsed.data.kind.endsWith('List') && Array.isArray(items)) {
    for (const [i, item] of items.entries()) flatten(item, `${where}.items[${i}]`, out);
    return;
  }
  out.push(parsed.data);
}

/** Options for {@link kubePkgFromManifests}. */
export interface KubePkgFromManifestsOptions {
  name: string;
  version: string;
  namespace?: string;
}

/**
 * A KubePkg holding `manifests` (keyed by {@link manifestKey}) and every image their pod templates use
 * (unpinned, `""`, until export resolves them). Duplicate keys are an error.
 */
export function kubePkgFromManifests(
  manifests: readonly KubernetesManifest[],
  options: KubePkgFromManifestsOptions,
): KubePkg {
  const keyed: Record<string, KubernetesManifest> = {};
  for (const manifest of manifests) {
    const key = manifestKey(manifest);
    if (key in keyed) {
      throw new KubePkgError(
        'INVALID_MANIFEST',
        `Two manifests share the key "${key}"; names must be unique per kind and namespace.`,
        {
          subject: key,
        },
      );
    }
    keyed[key] = manifest;
  }
  const images: Record<string, string> = {};
  for (const image of collectImages(manifests)) images[image] = '';
  return {
    apiVersion: KUBEPKG_API_VERSION,
    kind: 'KubePkg',
    metadata: { name: options.name, ...(options.namespace ? { namespace: options.namespace } : {}) },
    spec: { version: options.version, images, manifests: sortKeys(keyed) },
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

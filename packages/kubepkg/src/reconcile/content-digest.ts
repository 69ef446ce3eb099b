import { createHash } from 'node:crypto';
import type { KubePkg } from '../spec/kubepkg-schema.ts';

/** JSON with object keys sorted at every level, so equal content always gives equal bytes. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The digest of what a version applies: `spec.version`, `spec.images` and `spec.manifests`, key order ignored.
 * Recorded in the inventory and in `status.contentDigest`, so a re-apply of the same version with other
 * content is recognised.
 */
export function contentDigest(pkg: Pick<KubePkg, 'spec'>): string {
  const { version, images, manifests } = pkg.spec;
  const hash = createHash('sha256').update(canonicalJson({ version, images, manifests }));
  return `sha256:${hash.digest('hex')}`;
}

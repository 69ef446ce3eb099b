import { formatFieldPath } from '@hub/api-types';
import { safeParseKubePkg } from '../spec/safe-parse.ts';
import { allowedManifestKeys } from './manifest-key-rule.ts';

/** What the KubePkg validating webhook answers. */
export type KubePkgAdmission = { allowed: true } | { allowed: false; path: string; message: string };

/**
 * Whether a KubePkg may be stored: the schema must accept it (the v0.2+ fields refused by name), and every
 * `spec.manifests` key must follow the key rule for its object ({@link allowedManifestKeys}), so that the
 * key names what it holds. The message names the field path.
 */
export function reviewKubePkg(object: unknown): KubePkgAdmission {
  const parsed = safeParseKubePkg(object);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? '';
    return { allowed: false, path, message: `${path}: ${issue?.message ?? parsed.error.message}` };
  }
  for (const [key, manifest] of Object.entries(parsed.data.spec.manifests)) {
    const allowed = allowedManifestKeys(manifest);
    if (allowed.includes(key)) continue;
    const path = formatFieldPath(['spec', 'manifests', key]);
    return {
      allowed: false,
      path,
      message: `${path}: a ${manifest.kind} named ${JSON.stringify(manifest.metadata?.name ?? '')} must be keyed ${allowed.map((k) => JSON.stringify(k)).join(' or ')} (<name>.<namespace>.<kind>, or <name>.<kind> without a namespace)`,
    };
  }
  return { allowed: true };
}

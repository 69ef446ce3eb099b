import { parseManifest } from '@hub/image-save/registry';
import { KubePkgError } from '../errors.ts';

/** What was being pushed when a registry refused a manifest. */
export interface ManifestPush {
  registry: string;
  repository: string;
  digest: string;
  tag?: string | undefined;
  bytes: Uint8Array;
  mediaType: string;
  /** Manifest digests the package carries (an index's children among them, or not). */
  carried: ReadonlySet<string>;
}

/**
 * Names why a registry refused a manifest, with a hint that fits: credentials for 401/403, the
 * multi-arch advice only when the manifest is an index whose children the package does not all carry,
 * and the registry's own code otherwise (retryable when the failure was: a 5xx, a reset).
 */
export function manifestPushError(push: ManifestPush, cause: unknown): KubePkgError {
  const e = cause as { status?: unknown; registryCode?: unknown; retryable?: unknown; message?: unknown };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const registryCode = typeof e?.registryCode === 'string' ? e.registryCode : undefined;
  const what = `manifest ${push.digest} of ${push.registry}/${push.repository}${push.tag ? `:${push.tag}` : ''}`;
  const detail = { status, registryCode };
  if (status === 401 || status === 403) {
    return new KubePkgError(
      'PUSH_UNAUTHORIZED',
      `${push.registry} refused to let us push ${what} (HTTP ${status}): log in with push rights for ${push.repository} (docker login ${push.registry}).`,
      { subject: push.digest, cause, detail },
    );
  }
  const missing = missingChildren(push);
  if (missing > 0 && status !== undefined && status >= 400 && status < 500) {
    return new KubePkgError(
      'PUSH_INDEX_INCOMPLETE',
      `${push.registry} rejected ${what}: it is a multi-arch index and the package carries ${missing === 1 ? 'one of its children' : `${missing} of its children`} less than it lists; the registry wants every child. Export with --platform all (and --attestations), or import with --dir.`,
      { subject: push.digest, cause, detail },
    );
  }
  const why =
    status !== undefined
      ? `HTTP ${status}${registryCode ? ` ${registryCode}` : ''}`
      : typeof e?.message === 'string'
        ? e.message
        : String(cause);
  return new KubePkgError('PUSH_REJECTED', `${push.registry} did not take ${what} (${why}).`, {
    subject: push.digest,
    cause,
    detail,
    retryable: e?.retryable === true,
  });
}

function missingChildren(push: ManifestPush): number {
  try {
    const parsed = parseManifest(push.bytes, push.mediaType);
    if (parsed.kind !== 'index') return 0;
    return parsed.manifests.filter((child) => !push.carried.has(child.digest)).length;
  } catch {
    return 0;
  }
}

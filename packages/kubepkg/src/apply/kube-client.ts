import type { LoadedKubeconfig } from '@hub/api-types/kubeconfig';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * kubepkg's one client path (it cannot import @hub/datapack's transport): a client-node KubeConfig built from the
 * one kubeconfig rule (`loadKubeconfig()` of `@hub/api-types/kubeconfig`), for apply, prune and the CRD wait.
 * client-node is loaded here, on first use only: import, export and serve without apply never need it.
 */
export async function kubeConfigFrom(loaded: LoadedKubeconfig): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  // client-node spells kubectl's `tokenFile` as `token-file` (and reads it once: enough for a CLI run).
  const users = (loaded.config.users ?? []).map(({ name, user }) => ({
    name,
    user: user.tokenFile && !user.token ? { ...user, 'token-file': user.tokenFile } : user,
  }));
  kubeConfig.loadFromString(JSON.stringify({ ...loaded.config, users }));
  return kubeConfig;
}

/** What the apiserver said about a failed call: the HTTP status and its v1 Status fields, parsed once. */
export interface KubeFailure {
  status: number | undefined;
  /** `reason` of the v1 Status (`NotFound`, `AlreadyExists`...); undefined when the answer was no Status. */
  reason: string | undefined;
  /** `details.kind` of the Status (`namespaces` when the namespace is missing). */
  kind: string | undefined;
  message: string | undefined;
  body: unknown;
}

/** Reads a client-node ApiException (code + body) as a {@link KubeFailure}. */
export function kubeFailure(error: unknown): KubeFailure {
  const status = (error as { code?: unknown } | undefined)?.code;
  const body = (error as { body?: unknown } | undefined)?.body;
  let parsed:
    | { kind?: unknown; reason?: unknown; message?: unknown; details?: { kind?: unknown } }
    | undefined;
  try {
    const value: unknown = typeof body === 'string' ? JSON.parse(body) : body;
    if (value && typeof value === 'object') parsed = value as typeof parsed;
  } catch {
    // Not JSON (an unrouted kind answers "404 page not found"): no Status, so no reason.
  }
  const isStatus = parsed?.kind === 'Status';
  const text = typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 300) : undefined;
  return {
    status: typeof status === 'number' ? status : undefined,
    reason: isStatus && typeof parsed?.reason === 'string' ? parsed.reason : undefined,
    kind: isStatus && typeof parsed?.details?.kind === 'string' ? parsed.details.kind : undefined,
    message: typeof parsed?.message === 'string' ? parsed.message : parsed ? undefined : text,
    body,
  };
}

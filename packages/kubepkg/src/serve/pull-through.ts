import { stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { keptHostRepository } from '@hub/image-save';
import type { RegistryClient } from '@hub/image-save/registry';
import { originHost } from '../origins/repository-origins.ts';
import { bearerMatches } from './bearer-token.ts';
import type { ServeContext } from './serve-context.ts';

/** A pull-through upstream failed in a way that is not "not found": reported as such, never as a 404. */
export class UpstreamFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string, cause: unknown) {
    super(message, { cause });
    this.status = status;
    this.code = code;
  }
}

/** The upstream to pull through from for this request: `undefined` when there is none or it may not. */
export function pullThroughUpstream(
  context: ServeContext,
  pull: boolean,
): { registry: string; client: RegistryClient } | undefined {
  const { upstreamClient, options } = context;
  if (!pull || !upstreamClient || !options.upstream) return undefined;
  return { registry: options.upstream.registry, client: upstreamClient };
}

/** Whether `req` may make the agent fetch from the upstream (the pull-through token, when one is set). */
export function mayPullThrough(context: ServeContext, req: IncomingMessage): boolean {
  const token = context.options.pullThroughToken;
  return !token || bearerMatches(req.headers.authorization, token);
}

/**
 * The stored name a pull-through of `raw` writes to: `raw` itself (recording the upstream as its origin)
 * when it is new or came only from the upstream; otherwise the upstream's kept-host name, so tags of two
 * registries never mix in one repository.
 */
export async function pullTarget(
  context: ServeContext,
  raw: string,
  upstream: string,
): Promise<{ name: string; record: boolean }> {
  const recorded = await context.origins.hosts(raw);
  const onlyUpstream = recorded.length > 0 && recorded.every((h) => originHost(h) === originHost(upstream));
  if (onlyUpstream || !(await repositoryExists(context, raw))) return { name: raw, record: true };
  return { name: keptHostRepository(upstream, raw), record: false };
}

/** Whether anything is stored under `name` (links or tags), recorded or not. */
async function repositoryExists(context: ServeContext, name: string): Promise<boolean> {
  const dir = context.storage.layout.repository(name);
  const isDir = (path: string) =>
    stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    );
  return (await isDir(join(dir, '_manifests'))) || (await isDir(join(dir, '_layers')));
}

/** For `.catch` on upstream calls: a 404 is a miss (undefined); auth, 429, 5xx and network failures throw. */
export function upstreamMiss(registry: string) {
  return (error: unknown): undefined => {
    const status = (error as { status?: unknown }).status;
    if (status === 404) return undefined;
    if (status === 401 || status === 403)
      throw new UpstreamFailure(
        502,
        'DENIED',
        `upstream ${registry} refused our credentials (HTTP ${status})`,
        error,
      );
    if (status === 429)
      throw new UpstreamFailure(
        503,
        'TOOMANYREQUESTS',
        `upstream ${registry} is rate-limiting (HTTP 429)`,
        error,
      );
    const why = typeof status === 'number' ? `HTTP ${status}` : 'unreachable or the connection failed';
    throw new UpstreamFailure(502, 'UNAVAILABLE', `upstream ${registry} failed (${why})`, error);
  };
}

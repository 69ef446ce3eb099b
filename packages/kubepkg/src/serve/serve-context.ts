import type { IncomingMessage, ServerResponse } from 'node:http';
import { DOCKER_HUB, keptHostRepository } from '@hub/image-save';
import type { RegistryClient } from '@hub/image-save/registry';
import { isValidRepositoryName, type RegistryStorage, ShortNames } from '@hub/image-save/storage';
import { originHost, type RepositoryOrigins } from '../origins/repository-origins.ts';
import type { RegistryServerOptions } from './registry-server.ts';

/** What every request handler of one registry server shares. */
export interface ServeContext {
  options: RegistryServerOptions;
  storage: RegistryStorage;
  origins: RepositoryOrigins;
  /** Set when `options.upstream` is: the client pull-throughs fetch with. */
  upstreamClient: RegistryClient | undefined;
}

/** A request for one repository's content, after routing and {@link lookup}. */
export interface ContentRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The repository name as the client wrote it (validated, still percent-encoded). */
  raw: string;
  /** The stored names to answer from, in order. */
  names: string[];
  /** Whether a miss may be pulled through from the upstream. */
  pull: boolean;
}

/**
 * Where to look for `raw`, and whether a miss may be pulled through. Without `?ns=` (a client of this
 * registry itself): `raw`, then for a Docker Hub short name with nothing of its own (`mysql`) its
 * `library/` repository when that came from Docker Hub (content imported before imports linked short
 * names), and with an upstream also its kept-host name (where a pull-through that could not use `raw`
 * stored it). With `?ns=<host>` (a containerd mirror request): the kept-host name of
 * `<host>`, then `raw` only when its content is recorded as coming from `<host>`, and a pull-through only
 * when `<host>` is the upstream, so a mirror for one registry never serves another registry's content.
 */
export async function lookup(
  context: ServeContext,
  raw: string,
  ns: string | null,
): Promise<{ names: string[]; pull: boolean }> {
  const upstream = context.options.upstream?.registry;
  if (ns === null) {
    const names = [raw];
    if (await isUnlinkedShortName(context, raw)) names.push(`library/${raw}`);
    if (upstream) names.push(keptHostRepository(upstream, raw));
    return { names: names.filter(isValidRepositoryName), pull: upstream !== undefined };
  }
  const host = originHost(ns);
  if (!host) return { names: [], pull: false };
  const names = [`${host}/${raw}`];
  if (await context.origins.has(raw, ns)) names.push(raw);
  const pull = upstream !== undefined && originHost(upstream) === originHost(ns);
  return { names: names.filter(isValidRepositoryName), pull };
}

/** `raw` is a one-component name that holds nothing from elsewhere, and `library/<raw>` came from Docker Hub. */
async function isUnlinkedShortName(context: ServeContext, raw: string): Promise<boolean> {
  if (raw.includes('/')) return false;
  const repository = `library/${raw}`;
  if (!isValidRepositoryName(repository) || !(await context.origins.has(repository, DOCKER_HUB)))
    return false;
  return (await new ShortNames(context.storage).state(raw, repository)) !== 'taken';
}

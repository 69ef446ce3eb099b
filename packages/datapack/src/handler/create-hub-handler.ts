import { canPullRepository } from '@hub/api-types/access';
import type { CatalogueReader } from '../catalogue/catalogue-reader.ts';
import { type RepositoryAccess, repositoryVisibility } from '../catalogue/repository-visibility.ts';
import { computeDataPack } from '../compute/compute-data-pack.ts';
import { validateDataPackRequest } from '../compute/validate-request.ts';
import { DataPackError } from '../errors.ts';
import { createIconProxy, type IconProxyOptions } from '../icons/icon-proxy.ts';
import type { KubeTransport } from '../kube/kube-transport.ts';
import { createCatalogueWrites } from '../manage/catalogue-writes.ts';
import type { HubRegistryOptions } from '../manage/registry-manifest-delete.ts';
import { repositoryDetail } from '../search/repository-item.ts';
import { type RepositorySort, searchRepositories } from '../search/search-repositories.ts';
import type { HubSession, HubSessions } from '../session/hub-sessions.ts';
import { errorResponse, jsonRead, jsonText } from './http-response.ts';
import {
  createImageRoute,
  deleteTagRoute,
  type ManagementContext,
  patchOrganizationRoute,
  patchRepositoryRoute,
} from './management-routes.ts';
import { createPackSerializer } from './pack-json.ts';
import { readJsonBody } from './read-json-body.ts';
import { sessionRoute } from './session-routes.ts';

export interface HubHandlerOptions {
  /** What the handler reads; a {@link Catalogue} is awaited until synced. */
  catalogue: CatalogueReader & { ready?: () => Promise<void> };
  /** The path the routes live under, e.g. `/api/hub`. */
  basePath: string;
  /**
   * Called once per request; the returned predicate admits private repositories. Without it,
   * private repositories are invisible (404, left out of lists, missing in DataPacks).
   */
  authorize?: ((request: Request) => RepositoryAccess | Promise<RepositoryAccess>) | undefined;
  /**
   * Sign-in with a Kubernetes token (`createHubSessions`): serves `/session`, and without
   * `authorize` the signed-in user sees the private repositories the access rule lets them pull.
   */
  sessions?: HubSessions | undefined;
  /**
   * A transport made with `createKubeTransport(kubeConfig, { userCredentials: true })`: the write
   * routes (PATCH, DELETE) send the signed-in user's token over it. Without it the hub is read-only.
   */
  userTransport?: KubeTransport | undefined;
  /**
   * The registry the catalogue's images live in: `DELETE /repositories/{org}/{repo}/tags/{tag}` then
   * also deletes the tag's manifest there, with the user's name and token as the token realm's
   * credentials (the token server grants managers `delete`). Needs deletes enabled in the registry.
   */
  registry?: HubRegistryOptions | undefined;
  /** Origins besides the request's own whose writes are accepted (the hub's public URL behind a proxy). */
  allowedOrigins?: readonly string[] | undefined;
  /** Whose ServiceAccounts are users, for the manager rule (default `user-system`). */
  userNamespace?: string | undefined;
  /**
   * Serves `GET /icons?url=`: icons from public https URLs through the server (images only, a size
   * cap, a timeout, a cache; SVG served so that no script in it runs). Off without it.
   */
  icons?: IconProxyOptions | undefined;
  /** How long a request waits for the catalogue's first sync before a 503 (default 10 s). */
  readyTimeoutMs?: number | undefined;
  /** Receives failures answered as 500 INTERNAL (the answer itself says nothing about them). */
  onError?: ((error: unknown, request: Request) => void) | undefined;
}

/** A Web-standard fetch handler. */
export type HubHandler = (request: Request) => Promise<Response>;

/** Largest DataPack request body: 1,000 names of the longest legal length (~260 KiB) fit with room. */
const MAX_BODY_BYTES = 1024 * 1024;

function param(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  return value === null || value === '' ? undefined : value;
}

function intParam(url: URL, name: string): number | undefined {
  const value = param(url, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value)) {
    throw new DataPackError('INVALID_REQUEST', `${name} must be a positive integer.`, { field: name });
  }
  return Number(value);
}

function sortParam(url: URL): RepositorySort | undefined {
  // searchRepositories checks it against the closed list and names the field when it is wrong.
  return param(url, 'sort') as RepositorySort | undefined;
}

function segments(pathname: string, basePath: string): string[] | undefined {
  const base = basePath.replace(/\/+$/, '');
  if (pathname !== base && !pathname.startsWith(`${base}/`)) return undefined;
  const rest = pathname
    .slice(base.length)
    .split('/')
    .filter((s) => s !== '');
  try {
    return rest.map((s) => decodeURIComponent(s));
  } catch {
    throw new DataPackError('INVALID_REQUEST', 'the path has malformed percent-encoding.', { field: 'path' });
  }
}

function sessionAccess(
  catalogue: CatalogueReader,
  session: HubSession | undefined,
  userNamespace: string | undefined,
): RepositoryAccess | undefined {
  if (session === undefined) return undefined;
  const requester = { username: session.user, groups: session.groups };
  // The registry's rule: whoever may pull a private repository sees it in the catalogue.
  return ({ name, organization }) =>
    canPullRepository({
      repository: name,
      repositoryObject: catalogue.repository(name),
      organizationObject: catalogue.organization(organization),
      requester,
      userNamespace,
    });
}

function methodNotAllowed(allowed: string): never {
  throw new DataPackError('METHOD_NOT_ALLOWED', `this route answers ${allowed} only.`, { field: 'method' });
}

async function waitReady(options: HubHandlerOptions): Promise<void> {
  const ready = options.catalogue.ready;
  if (ready === undefined) return;
  const ms = options.readyTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DataPackError('NOT_READY', 'the catalogue is still syncing; try again shortly.', {
            retryable: true,
          }),
        ),
      ms,
    );
  });
  try {
    await Promise.race([ready.call(options.catalogue), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the catalogue's HTTP API as a `(Request) => Promise<Response>`, mountable as a Next.js
 * route handler or in any fetch-style server. Routes under `basePath`:
 * `GET /repositories`, `GET /repositories/{org}/{repo}`, `GET /organizations/{org}`, `POST /datapacks`.
 */
export function createHubHandler(options: HubHandlerOptions): HubHandler {
  const { catalogue } = options;
  // Public data may sit in shared caches briefly; with an authorize hook, answers depend on the caller.
  const serializePack = createPackSerializer();
  const writes =
    options.userTransport === undefined ? undefined : createCatalogueWrites(options.userTransport, catalogue);
  const allowedOrigins = options.allowedOrigins ?? [];
  const icons = options.icons === undefined ? undefined : createIconProxy(options.icons);
  const cacheControl =
    options.authorize === undefined && options.sessions === undefined
      ? 'public, max-age=5, stale-while-revalidate=30'
      : 'private, no-cache';

  return async (request) => {
    try {
      const url = new URL(request.url);
      const path = segments(url.pathname, options.basePath);
      if (path === undefined)
        throw new DataPackError('NOT_FOUND', `no route ${url.pathname}.`, { field: 'path' });
      const [resource, ...rest] = path;
      if (resource === 'session' && rest.length === 0) {
        return await sessionRoute(request, options.sessions, allowedOrigins);
      }
      if (resource === 'icons' && rest.length === 0 && icons !== undefined) {
        if (request.method !== 'GET' && request.method !== 'HEAD') methodNotAllowed('GET');
        return await icons(request);
      }
      await waitReady(options);
      const session = await options.sessions?.current(request);
      const access: RepositoryAccess | undefined =
        options.authorize === undefined
          ? sessionAccess(catalogue, session, options.userNamespace)
          : await options.authorize(request);
      // The one rule for every route: search, detail, organization pages and DataPacks.
      const visible = repositoryVisibility(catalogue, access);
      const manage: ManagementContext = {
        catalogue,
        writes,
        session,
        visible,
        allowedOrigins,
        maxBodyBytes: MAX_BODY_BYTES,
        registry: options.registry,
      };

      if (resource === 'repositories' && rest.length === 0) {
        if (request.method !== 'GET' && request.method !== 'HEAD') methodNotAllowed('GET');
        const page = searchRepositories(
          catalogue,
          {
            q: param(url, 'q'),
            keywords: url.searchParams.getAll('keyword').filter((k) => k !== ''),
            organization: param(url, 'org'),
            sort: sortParam(url),
            limit: intParam(url, 'limit'),
            cursor: param(url, 'cursor'),
          },
          { access },
        );
        return jsonRead(request, page, cacheControl);
      }
      if (resource === 'repositories' && rest.length === 2) {
        const name = `${rest[0]}/${rest[1]}`;
        if (request.method === 'PATCH') return await patchRepositoryRoute(request, name, manage);
        if (request.method !== 'GET' && request.method !== 'HEAD') methodNotAllowed('GET and PATCH');
        const repository = catalogue.repository(name);
        if (repository === undefined || !visible(name)) {
          throw new DataPackError('NOT_FOUND', `repository ${name} does not exist.`, { field: 'path' });
        }
        return jsonRead(request, repositoryDetail(repository, catalogue), cacheControl);
      }
      if (resource === 'repositories' && rest.length === 4 && rest[2] === 'tags') {
        if (request.method !== 'DELETE') methodNotAllowed('DELETE');
        return await deleteTagRoute(request, `${rest[0]}/${rest[1]}`, rest[3] ?? '', manage);
      }
      if (resource === 'organizations' && rest.length === 1) {
        const name = rest[0] ?? '';
        if (request.method === 'PATCH') return await patchOrganizationRoute(request, name, manage);
        if (request.method !== 'GET' && request.method !== 'HEAD') methodNotAllowed('GET and PATCH');
        const organization = catalogue.organization(name);
        if (organization === undefined) {
          throw new DataPackError('NOT_FOUND', `organization ${name} does not exist.`, { field: 'path' });
        }
        const repos = catalogue
          .repositories({ organization: organization.spec.name })
          .filter((repository) => visible(repository.spec.name))
          .map((r) => r.spec.name);
        return jsonRead(
          request,
          {
            name: organization.spec.name,
            creator: organization.spec.creator ?? null,
            managers: organization.spec.manager ?? [],
            repos,
          },
          cacheControl,
        );
      }
      if (resource === 'images' && rest.length === 0) {
        if (request.method !== 'POST') methodNotAllowed('POST');
        return await createImageRoute(request, manage);
      }
      if (resource === 'datapacks' && rest.length === 0) {
        if (request.method !== 'POST') methodNotAllowed('POST');
        const spec = validateDataPackRequest(await readJsonBody(request, MAX_BODY_BYTES));
        // The revision is read before computing: a change during the computation only makes the
        // next request recompute, never serves stale entries under a newer revision.
        const revision = catalogue.revision;
        const result = computeDataPack(spec, catalogue, { access });
        return jsonText(serializePack(result, spec.type, revision));
      }
      throw new DataPackError('NOT_FOUND', `no route ${url.pathname}.`, { field: 'path' });
    } catch (error) {
      const response = errorResponse(error);
      if (response.status >= 500) options.onError?.(error, request);
      return response;
    }
  };
}

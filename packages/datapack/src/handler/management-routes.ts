import type { CatalogueReader } from '../catalogue/catalogue-reader.ts';
import type { RepositoryVisibility } from '../catalogue/repository-visibility.ts';
import { DataPackError } from '../errors.ts';
import type { CatalogueWrites } from '../manage/catalogue-writes.ts';
import { imageFromCreate } from '../manage/image-create.ts';
import { validateOrganizationPatch } from '../manage/organization-patch.ts';
import { deleteRegistryManifest, type HubRegistryOptions } from '../manage/registry-manifest-delete.ts';
import { validateRepositoryPatch } from '../manage/repository-patch.ts';
import { repositoryDetail } from '../search/repository-item.ts';
import type { HubSession } from '../session/hub-sessions.ts';
import { jsonFresh } from './http-response.ts';
import { readJsonBody } from './read-json-body.ts';
import { assertSameOrigin } from './same-origin.ts';

/** What the write routes need from the handler. */
export interface ManagementContext {
  catalogue: CatalogueReader;
  writes: CatalogueWrites | undefined;
  session: HubSession | undefined;
  visible: RepositoryVisibility;
  allowedOrigins: readonly string[];
  maxBodyBytes: number;
  /** Where a deleted tag's manifest is deleted too; without it only the Image goes. */
  registry: HubRegistryOptions | undefined;
}

function notFound(what: string): DataPackError {
  return new DataPackError('NOT_FOUND', `${what} does not exist.`, { field: 'path' });
}

// Order matters: origin first (a cross-site form learns nothing), then the session, then the body.
function prepare(
  request: Request,
  context: ManagementContext,
): { writes: CatalogueWrites; token: string; user: string } {
  assertSameOrigin(request, context.allowedOrigins);
  if (context.writes === undefined) {
    throw new DataPackError('METHOD_NOT_ALLOWED', 'this hub is read-only (no userTransport configured).', {
      field: 'method',
    });
  }
  if (context.session === undefined) {
    throw new DataPackError('UNAUTHENTICATED', 'sign in to change the catalogue.', { field: 'session' });
  }
  return { writes: context.writes, token: context.session.token, user: context.session.user };
}

/** `PATCH /repositories/{org}/{repo}`: description, keywords, docs, icon overrides and isPrivate. */
export async function patchRepositoryRoute(
  request: Request,
  name: string,
  context: ManagementContext,
): Promise<Response> {
  const { writes, token } = prepare(request, context);
  const patch = validateRepositoryPatch(await readJsonBody(request, context.maxBodyBytes));
  const repository = context.catalogue.repository(name);
  if (repository === undefined || !context.visible(name)) throw notFound(`repository ${name}`);
  await writes.patchRepository(token, repository, patch);
  const updated = context.catalogue.repository(name) ?? repository;
  return jsonFresh(repositoryDetail(updated, context.catalogue));
}

/** `PATCH /organizations/{org}` with `{ managers }`. */
export async function patchOrganizationRoute(
  request: Request,
  name: string,
  context: ManagementContext,
): Promise<Response> {
  const { writes, token } = prepare(request, context);
  const patch = validateOrganizationPatch(await readJsonBody(request, context.maxBodyBytes));
  const organization = context.catalogue.organization(name);
  if (organization === undefined) throw notFound(`organization ${name}`);
  await writes.setManagers(token, organization, patch);
  const updated = context.catalogue.organization(name) ?? organization;
  return jsonFresh({
    name: updated.spec.name,
    creator: updated.spec.creator ?? null,
    managers: updated.spec.manager ?? [],
  });
}

/** `POST /images` with `{ name, type?, detail }`: a new Image, created as the user. */
export async function createImageRoute(request: Request, context: ManagementContext): Promise<Response> {
  const { writes, token } = prepare(request, context);
  const image = imageFromCreate(await readJsonBody(request, context.maxBodyBytes));
  await writes.createImage(token, image);
  return jsonFresh({ name: image.spec.name }, 201);
}

/**
 * `DELETE /repositories/{org}/{repo}/tags/{tag}`: deletes that tag's Image as the user (RBAC and the
 * webhooks decide first), then, with `registry`, its manifest in the registry with the user's credentials.
 */
export async function deleteTagRoute(
  request: Request,
  repository: string,
  tag: string,
  context: ManagementContext,
): Promise<Response> {
  const { writes, token, user } = prepare(request, context);
  const name = `${repository}:${tag}`;
  const image = context.catalogue.image(name);
  if (image === undefined || !context.visible(repository)) throw notFound(`tag ${name}`);
  await writes.deleteImage(token, image);
  if (context.registry !== undefined) {
    await deleteRegistryManifest(context.registry, repository, tag, { username: user, password: token });
  }
  return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
}

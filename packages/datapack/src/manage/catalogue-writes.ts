import type { Image, Organization, Repository } from '@hub/api-types';
import type { CatalogueReader } from '../catalogue/catalogue-reader.ts';
import type { KubeTransport } from '../kube/kube-transport.ts';
import { collectionPath, KUBE_RESOURCES, objectPath } from '../kube/resource.ts';
import type { OrganizationPatch } from './organization-patch.ts';
import type { RepositoryPatch } from './repository-patch.ts';
import { userWriteError } from './user-write-error.ts';

const MERGE_PATCH = 'application/merge-patch+json';
// How long a write waits for this replica's watch cache to show it, so the page read next is fresh.
const SETTLE_MS = 3000;

function metaName(object: Image | Repository | Organization): string {
  // Objects from the watch cache always have one; an empty name would address the collection.
  const name = object.metadata.name;
  if (name === undefined || name === '')
    throw new Error(`${object.kind} ${object.spec.name} has no metadata.name`);
  return name;
}

async function settle(done: () => boolean): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}

/**
 * The hub's writes, each made with the signed-in user's own token over a transport that carries
 * no credentials of its own: RBAC and the admission webhooks decide exactly as for kubectl.
 */
export interface CatalogueWrites {
  patchRepository(token: string, repository: Repository, patch: RepositoryPatch): Promise<void>;
  setManagers(token: string, organization: Organization, patch: OrganizationPatch): Promise<void>;
  deleteImage(token: string, image: Image): Promise<void>;
  createImage(token: string, image: Image): Promise<void>;
}

export function createCatalogueWrites(transport: KubeTransport, catalogue: CatalogueReader): CatalogueWrites {
  return {
    async patchRepository(token, repository, patch) {
      const name = repository.spec.name;
      let answer: { metadata?: { resourceVersion?: string } } | undefined;
      try {
        // A merge patch: null removes an override, so reads fall back to the latest Image.
        answer = await transport.request(objectPath(KUBE_RESOURCES.Repository, metaName(repository)), {
          verb: 'patch',
          method: 'PATCH',
          contentType: MERGE_PATCH,
          body: { spec: patch },
          bearerToken: token,
        });
      } catch (error) {
        throw userWriteError(error, `editing repository ${name}`);
      }
      const version = answer?.metadata?.resourceVersion;
      await settle(() => catalogue.repository(name)?.metadata.resourceVersion === version);
    },
    async setManagers(token, organization, patch) {
      const name = organization.spec.name;
      let answer: { metadata?: { resourceVersion?: string } } | undefined;
      try {
        answer = await transport.request(objectPath(KUBE_RESOURCES.Organization, metaName(organization)), {
          verb: 'patch',
          method: 'PATCH',
          contentType: MERGE_PATCH,
          body: { spec: { manager: patch.managers } },
          bearerToken: token,
        });
      } catch (error) {
        throw userWriteError(error, `changing the managers of ${name}`);
      }
      const version = answer?.metadata?.resourceVersion;
      await settle(() => catalogue.organization(name)?.metadata.resourceVersion === version);
    },
    async deleteImage(token, image) {
      const name = image.spec.name;
      try {
        await transport.request(objectPath(KUBE_RESOURCES.Image, metaName(image)), {
          verb: 'delete',
          method: 'DELETE',
          // The uid precondition: never delete a newer Image that took the same name meanwhile.
          body: {
            apiVersion: 'v1',
            kind: 'DeleteOptions',
            ...(image.metadata.uid ? { preconditions: { uid: image.metadata.uid } } : {}),
          },
          bearerToken: token,
        });
      } catch (error) {
        throw userWriteError(error, `deleting ${name}`);
      }
      await settle(() => catalogue.image(name) === undefined);
    },
    async createImage(token, image) {
      const name = image.spec.name;
      try {
        await transport.request(collectionPath(KUBE_RESOURCES.Image), {
          verb: 'create',
          method: 'POST',
          body: image,
          bearerToken: token,
        });
      } catch (error) {
        throw userWriteError(error, `creating ${name}`);
      }
      // hub-controller makes the Repository from the Image; the page read next wants both.
      const repository = name.slice(0, name.lastIndexOf(':'));
      await settle(
        () => catalogue.image(name) !== undefined && catalogue.repository(repository) !== undefined,
      );
    },
  };
}

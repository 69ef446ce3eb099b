import {
  ANNOTATION_REQUESTER,
  formatRepositoryName,
  IMAGEHUB_API_VERSION,
  type Image,
  imageLabels,
  imageMetadataName,
  type Organization,
  organizationMetadataName,
  parseImageHubName,
  type Repository,
  type RepositoryName,
  repositoryLabels,
  repositoryMetadataName,
} from '@hub/api-types';
import { organizationDefaultPrivate } from '@hub/api-types/access';
import type {
  CataloguePolicy,
  KubeObject,
  ReconcileContext,
  ReconcilerDefinition,
  WatchMapping,
} from '../client.ts';
import { catalogueRef, controllerReference, includesAll, ownedOnlyBy } from './object-refs.ts';
import { applyStatusIfChanged } from './status-writer.ts';
import { onlyStatusChanged } from './watch-filters.ts';

/**
 * The Repository the Image reconciler creates for `org/repo`, recording who pushed first. Its
 * visibility is written explicitly, from the Organization's `defaultPrivate` (private when unset or
 * when the Organization does not exist yet): the CRD's own default, public, never applies to it.
 */
export function newRepository(
  name: RepositoryName,
  requester: string | undefined,
  isPrivate: boolean,
): KubeObject {
  const { labels, annotations } = repositoryLabels(name);
  return {
    apiVersion: IMAGEHUB_API_VERSION,
    kind: 'Repository',
    metadata: {
      name: repositoryMetadataName(name),
      labels,
      annotations:
        requester === undefined ? annotations : { ...annotations, [ANNOTATION_REQUESTER]: requester },
    },
    spec: { name: formatRepositoryName(name), isPrivate },
  };
}

// The Organization of `name`, confirmed by spec.name (metadata.name is derived; a hand-made object
// with a colliding name must not decide visibility).
function organizationOf(context: ReconcileContext, organization: string): Organization | undefined {
  const object = context.client.cache.get('Organization', organizationMetadataName(organization));
  return object?.spec.name === organization ? object : undefined;
}

async function reconcileImage(
  name: string,
  context: ReconcileContext,
): Promise<{ requeueAfterMs: number } | undefined> {
  const { client } = context;
  const image = client.cache.get('Image', name);
  if (image === undefined || image.metadata.deletionTimestamp) return undefined;
  const parsed = parseImageHubName(image.spec.name);
  if (!parsed.success) return unlisted(image, 'InvalidName', parsed.error.message, context);
  const derived = imageMetadataName(parsed.data);
  if (derived !== name) {
    const message = `metadata.name must be "${derived}" (derived from spec.name ${image.spec.name}); this Image is not listed in its Repository.`;
    return unlisted(image, 'NameMismatch', message, context);
  }

  const repositoryName = { organization: parsed.data.organization, repository: parsed.data.repository };
  const repositorySpecName = formatRepositoryName(repositoryName);
  let repository: Repository | KubeObject | undefined = client.cache.get(
    'Repository',
    repositoryMetadataName(repositoryName),
  );
  // A Repository on its way out cannot own new Images; its DELETED event brings this Image back.
  if (repository?.metadata.deletionTimestamp) return { requeueAfterMs: 1000 };
  const changes: string[] = [];
  if (repository === undefined) {
    // No force: if the cache is stale and someone created it meanwhile, a conflict retries
    // rather than overwriting their fields.
    const isPrivate = organizationDefaultPrivate(organizationOf(context, repositoryName.organization));
    repository = await client.apply(
      newRepository(repositoryName, image.metadata.annotations?.[ANNOTATION_REQUESTER], isPrivate),
    );
    client.recordEvent(catalogueRef('Repository', repository), {
      type: 'Normal',
      reason: 'RepositoryCreated',
      message: `created for Image ${image.spec.name} (${isPrivate ? 'private' : 'public'}, the Organization's default)`,
    });
    changes.push(`created Repository ${repositorySpecName}`);
  }

  const { labels, annotations } = imageLabels(parsed.data);
  const owner = controllerReference('Repository', repository);
  const metadataOk =
    includesAll(image.metadata.labels, labels) &&
    includesAll(image.metadata.annotations, annotations) &&
    ownedOnlyBy(image, 'Repository', owner);
  if (!metadataOk) {
    await client.apply(
      {
        apiVersion: IMAGEHUB_API_VERSION,
        kind: 'Image',
        metadata: {
          name,
          labels,
          ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
          ownerReferences: [owner],
        },
      },
      { force: true },
    );
    changes.push(`labels and owner Repository ${repositorySpecName}`);
  }

  const wroteStatus = await applyStatusIfChanged(
    'Image',
    image,
    {
      fields: {},
      ready: {
        type: 'Ready',
        status: 'True',
        reason: 'Listed',
        message: `listed in Repository ${repositorySpecName}`,
      },
    },
    context,
  );
  if (wroteStatus) changes.push('status');
  // Images are the high-volume kind: their first listing shows as the Repository's event; an
  // Image gets its own only when an already-listed one changes (relisted, relabelled, re-owned).
  const wasListed =
    Array.isArray(image.status?.conditions) && image.status.conditions.some((c) => c.type === 'Ready');
  if (changes.length > 0 && wasListed) {
    client.recordEvent(catalogueRef('Image', image), {
      type: 'Normal',
      reason: 'Synced',
      message: changes.join('; '),
    });
  }
  return undefined;
}

// An Image that cannot be listed: a Ready=False status and a Warning, once.
async function unlisted(
  image: Image,
  reason: string,
  message: string,
  context: ReconcileContext,
): Promise<undefined> {
  const ready = { type: 'Ready', status: 'False' as const, reason, message };
  if (await applyStatusIfChanged('Image', image, { fields: {}, ready }, context)) {
    context.client.recordEvent(catalogueRef('Image', image), { type: 'Warning', reason, message });
  }
  return undefined;
}

function nameOf(object: KubeObject | undefined): string[] {
  const name = object?.metadata.name;
  return typeof name === 'string' && name.length > 0 ? [name] : [];
}

/** The Image names a deleted Repository listed: they need a Repository again (a push raced the delete). */
function listedImages(object: KubeObject | undefined): string[] {
  const status = object?.status as { tags?: unknown } | undefined;
  if (!Array.isArray(status?.tags)) return [];
  return status.tags.flatMap((tag: unknown) => {
    const metaName = (tag as { metaName?: unknown } | null)?.metaName;
    return typeof metaName === 'string' && metaName.length > 0 ? [metaName] : [];
  });
}

const imageWatches: readonly WatchMapping[] = [
  {
    kind: 'Image',
    map: (event) => (event.type === 'DELETED' || onlyStatusChanged(event) ? [] : nameOf(event.object)),
  },
  {
    kind: 'Repository',
    map: (event) => (event.type === 'DELETED' ? listedImages(event.old ?? event.object) : []),
  },
];

/**
 * Image → Repository: labels from `spec.name`, the Repository created when missing, and an
 * ownerReference from the Image to it; the Image's status says whether it is listed.
 */
export function imageReconciler(_policy: CataloguePolicy): ReconcilerDefinition<'Image'> {
  return { name: 'image', kind: 'Image', reconcile: reconcileImage, watches: imageWatches };
}

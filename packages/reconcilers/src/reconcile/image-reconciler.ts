import {
  ANNOTATION_REQUESTER,
  formatRepositoryName,
  IMAGEHUB_API_VERSION,
  imageLabels,
  imageMetadataName,
  parseImageHubName,
  type Repository,
  type RepositoryName,
  repositoryLabels,
  repositoryMetadataName,
} from '@hub/api-types';
import type {
  CataloguePolicy,
  KubeObject,
  ReconcileContext,
  ReconcilerDefinition,
  WatchMapping,
} from '../client.ts';
import { catalogueRef, controllerReference, includesAll, ownedOnlyBy } from './object-refs.ts';
import { applyStatusIfChanged } from './status-writer.ts';

/** The Repository the Image reconciler creates for `org/repo`, recording who pushed first. */
export function newRepository(name: RepositoryName, requester: string | undefined): KubeObject {
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
    spec: { name: formatRepositoryName(name) },
  };
}

async function reconcileImage(
  name: string,
  context: ReconcileContext,
): Promise<{ requeueAfterMs: number } | undefined> {
  const { client } = context;
  const image = client.cache.get('Image', name);
  if (image === undefined || image.metadata.deletionTimestamp) return undefined;
  const parsed = parseImageHubName(image.spec.name);
  if (!parsed.success) {
    await applyStatusIfChanged(
      'Image',
      image,
      {
        fields: {},
        ready: { type: 'Ready', status: 'False', reason: 'InvalidName', message: parsed.error.message },
      },
      context,
    );
    return undefined;
  }
  const derived = imageMetadataName(parsed.data);
  if (derived !== name) {
    const message = `metadata.name must be "${derived}" (derived from spec.name ${image.spec.name}); this Image is not listed in its Repository.`;
    await applyStatusIfChanged(
      'Image',
      image,
      { fields: {}, ready: { type: 'Ready', status: 'False', reason: 'NameMismatch', message } },
      context,
    );
    return undefined;
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
    repository = await client.apply(
      newRepository(repositoryName, image.metadata.annotations?.[ANNOTATION_REQUESTER]),
      {
        force: true,
      },
    );
    client.recordEvent(catalogueRef('Repository', repository), {
      type: 'Normal',
      reason: 'RepositoryCreated',
      message: `created for Image ${image.spec.name}`,
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
  if (changes.length > 0) {
    client.recordEvent(catalogueRef('Image', image), {
      type: 'Normal',
      reason: 'Synced',
      message: changes.join('; '),
    });
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
  { kind: 'Image', map: (event) => (event.type === 'DELETED' ? [] : nameOf(event.object)) },
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

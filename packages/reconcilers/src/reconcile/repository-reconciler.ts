import {
  ANNOTATION_REQUESTER,
  formatRepositoryName,
  IMAGEHUB_API_VERSION,
  type Image,
  imageMetadataName,
  LABEL_ORGANIZATION,
  LABEL_REPOSITORY,
  labelValue,
  organizationMetadataName,
  parseImageHubName,
  parseRepositoryName,
  type Repository,
  type RepositoryName,
  repositoryLabels,
  repositoryMetadataName,
  type TagData,
} from '@hub/api-types';
import type {
  CacheView,
  CataloguePolicy,
  KubeObject,
  ReconcileContext,
  ReconcilerDefinition,
  WatchMapping,
} from '../client.ts';
import { managerEntryFor } from '../permissions/identity.ts';
import { mayCreateOrganizationFor } from '../permissions/organization-creation.ts';
import { latestKeywords, staleKeywordLabels } from './keyword-labels.ts';
import { catalogueRef, controllerReference, includesAll, ownedOnlyBy, specNameOf } from './object-refs.ts';
import { organizationObjects } from './organization-objects.ts';
import { applyStatusIfChanged, type DesiredStatus } from './status-writer.ts';
import { compareTagsNewestFirst, tagDataOf } from './tag-order.ts';
import { onlyStatusChanged } from './watch-filters.ts';

/**
 * The live Images of `org/repo`: found by label, confirmed by `spec.name` (a shortened label value
 * could match another name) and by the derived metadata.name (two Images with one spec.name list once).
 */
export function imagesOfRepository(cache: CacheView, name: RepositoryName): { image: Image; tag: string }[] {
  const selector = {
    [LABEL_ORGANIZATION]: labelValue(name.organization).value,
    [LABEL_REPOSITORY]: labelValue(name.repository).value,
  };
  return cache.list('Image', selector).flatMap((image) => {
    if (image.metadata.deletionTimestamp) return [];
    const parsed = parseImageHubName(image.spec.name);
    if (!parsed.success) return [];
    const { organization, repository, tag } = parsed.data;
    if (organization !== name.organization || repository !== name.repository) return [];
    return image.metadata.name === imageMetadataName(parsed.data) ? [{ image, tag }] : [];
  });
}

/** `status.tags` newest first (ties by tag, natural order descending) and the latest tag's Image. */
export function repositoryTags(entries: readonly { image: Image; tag: string }[]): {
  tags: TagData[];
  latest: Image | undefined;
} {
  const sorted = entries
    .map((entry) => ({ image: entry.image, data: tagDataOf(entry.image, entry.tag) }))
    .sort((a, b) => compareTagsNewestFirst(a.data, b.data));
  return { tags: sorted.map((entry) => entry.data), latest: sorted[0]?.image };
}

function hadTags(repository: Repository): boolean {
  return (repository.status?.tags?.length ?? 0) > 0 || (repository.status?.tagCount ?? 0) > 0;
}

// The creator of a missing Organization: the requester recorded on its oldest Repository, so
// concurrent reconciles of sibling repositories pick the same one. Only Repositories whose spec.name
// is in the organization count: a label alone could make anyone the creator of someone else's.
function firstRequester(cache: CacheView, organization: string): string | undefined {
  const candidates = organizationObjects(cache, 'Repository', organization)
    .filter((repo) => typeof repo.metadata.annotations?.[ANNOTATION_REQUESTER] === 'string')
    .sort((a, b) => {
      const at = a.metadata.creationTimestamp ?? '';
      const bt = b.metadata.creationTimestamp ?? '';
      if (at !== bt) return at < bt ? -1 : 1;
      return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
    });
  return candidates[0]?.metadata.annotations?.[ANNOTATION_REQUESTER];
}

/** The Organization the controller creates for a missing `org`, creator = the first pusher. */
export function newOrganization(
  organization: string,
  requester: string | undefined,
  policy: CataloguePolicy,
): KubeObject {
  const creator = requester === undefined ? undefined : managerEntryFor(requester, policy.userNamespace);
  return {
    apiVersion: IMAGEHUB_API_VERSION,
    kind: 'Organization',
    metadata: { name: organizationMetadataName(organization) },
    spec: { name: organization, ...(creator === undefined ? {} : { creator, manager: [creator] }) },
  };
}

async function reconcileRepository(
  policy: CataloguePolicy,
  name: string,
  context: ReconcileContext,
): Promise<undefined> {
  const { client } = context;
  const repository = client.cache.get('Repository', name);
  if (repository === undefined || repository.metadata.deletionTimestamp) return undefined;
  const parsed = parseRepositoryName(repository.spec.name);
  const invalid = !parsed.success
    ? { reason: 'InvalidName', message: parsed.error.message }
    : repositoryMetadataName(parsed.data) !== name
      ? {
          reason: 'NameMismatch',
          message: `metadata.name must be "${repositoryMetadataName(parsed.data)}" (derived from spec.name ${repository.spec.name}).`,
        }
      : undefined;
  if (!parsed.success || invalid !== undefined) {
    const ready = {
      type: 'Ready',
      status: 'False' as const,
      reason: invalid?.reason ?? 'InvalidName',
      message: invalid?.message ?? '',
    };
    await applyStatusIfChanged('Repository', repository, { fields: {}, ready }, context);
    return undefined;
  }
  const repositoryName = parsed.data;
  const images = imagesOfRepository(client.cache, repositoryName);
  const ref = catalogueRef('Repository', repository);

  if (images.length === 0 && policy.deleteEmptyRepositories && hadTags(repository)) {
    const { uid, resourceVersion } = repository.metadata;
    await client.delete(ref, {
      preconditions: {
        ...(uid === undefined ? {} : { uid }),
        ...(resourceVersion === undefined ? {} : { resourceVersion }),
      },
    });
    client.recordEvent(ref, {
      type: 'Normal',
      reason: 'RepositoryDeleted',
      message: 'its last Image is gone',
    });
    return undefined;
  }

  const changes: string[] = [];
  const { tags, latest } = repositoryTags(images);
  const ensured = await ensureOrganization(policy, repositoryName, context, changes);
  const organization = 'organization' in ensured ? ensured.organization : undefined;

  // Metadata: org/repo labels, keyword labels of the latest tag (stale ones dropped), owner Organization.
  const { labels, annotations } = repositoryLabels(repositoryName, latestKeywords(latest));
  const owner = organization === undefined ? undefined : controllerReference('Organization', organization);
  const stale = staleKeywordLabels(repository.metadata.labels, labels);
  if (
    !includesAll(repository.metadata.labels, labels) ||
    !includesAll(repository.metadata.annotations, annotations) ||
    stale.length > 0 ||
    !ownedOnlyBy(repository, 'Organization', owner)
  ) {
    await client.apply(
      {
        apiVersion: IMAGEHUB_API_VERSION,
        kind: 'Repository',
        metadata: {
          name,
          labels,
          ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
          ownerReferences: owner === undefined ? [] : [owner],
        },
      },
      { force: true },
    );
    changes.push(stale.length > 0 ? `labels (dropped ${stale.join(', ')})` : 'labels and owner');
  }

  const specName = formatRepositoryName(repositoryName);
  const desired: DesiredStatus = {
    fields: { tags, latestTag: tags[0], tagCount: tags.length },
    ready:
      'missing' in ensured
        ? { type: 'Ready', status: 'False', ...ensured.missing }
        : tags.length === 0
          ? { type: 'Ready', status: 'True', reason: 'Empty', message: `${specName} has no Images` }
          : {
              type: 'Ready',
              status: 'True',
              reason: 'Synced',
              message: `${tags.length} tag${tags.length === 1 ? '' : 's'}, latest ${tags[0]?.name}`,
            },
  };
  if (await applyStatusIfChanged('Repository', repository, desired, context))
    changes.push(desired.ready.message);
  if (changes.length > 0) {
    client.recordEvent(ref, {
      type: 'missing' in ensured ? 'Warning' : 'Normal',
      reason: 'missing' in ensured ? ensured.missing.reason : 'Synced',
      message: changes.join('; '),
    });
  }
  return undefined;
}

/** Why a Repository has no Organization: the Ready=False reason and message. */
type MissingOrganization = { missing: { reason: string; message: string } };

// The owning Organization: from the cache, or created (policy `create`, for a first pusher who may
// create Organizations), or missing with the reason (the Organization watch brings the Repository
// back once the Organization lists it).
async function ensureOrganization(
  policy: CataloguePolicy,
  name: RepositoryName,
  context: ReconcileContext,
  changes: string[],
): Promise<{ organization: KubeObject } | MissingOrganization> {
  const { client } = context;
  const existing = client.cache.get('Organization', organizationMetadataName(name.organization));
  if (existing !== undefined) return { organization: existing };
  if (policy.missingOrganization === 'wait') {
    return {
      missing: {
        reason: 'OrganizationMissing',
        message: `Organization ${name.organization} does not exist; create it (the controller runs with --missing-organization wait).`,
      },
    };
  }
  const requester = firstRequester(client.cache, name.organization);
  const creation = mayCreateOrganizationFor(requester, policy);
  if (!creation.allowed) {
    return {
      missing: {
        reason: 'OrganizationCreationRefused',
        message: `Organization ${name.organization} does not exist and the controller does not create it for its first pusher: ${creation.message}.`,
      },
    };
  }
  // No force: an Organization someone created meanwhile (stale cache) must keep its creator; the
  // conflict retries and the next pass finds it in the cache.
  const created = await client.apply(newOrganization(name.organization, requester, policy));
  client.recordEvent(catalogueRef('Organization', created), {
    type: 'Normal',
    reason: 'OrganizationCreated',
    message: `created for Repository ${formatRepositoryName(name)}`,
  });
  changes.push(`created Organization ${name.organization}`);
  return { organization: created };
}

function repositoryOf(object: KubeObject | undefined): string[] {
  const specName = specNameOf(object);
  if (specName === undefined) return [];
  const parsed = parseImageHubName(specName);
  return parsed.success ? [repositoryMetadataName(parsed.data)] : [];
}

function listedRepos(object: KubeObject | undefined): string[] {
  const repos = (object?.status as { repos?: unknown } | undefined)?.repos;
  if (!Array.isArray(repos)) return [];
  return repos.flatMap((repo: unknown) => {
    if (typeof repo !== 'string') return [];
    const parsed = parseRepositoryName(repo);
    return parsed.success ? [repositoryMetadataName(parsed.data)] : [];
  });
}

const repositoryWatches: readonly WatchMapping[] = [
  {
    kind: 'Repository',
    map: (event) =>
      event.type === 'DELETED' || onlyStatusChanged(event)
        ? []
        : [event.object.metadata.name ?? ''].filter(Boolean),
  },
  {
    kind: 'Image',
    map: (event) =>
      onlyStatusChanged(event)
        ? []
        : [...new Set([...repositoryOf(event.object), ...repositoryOf(event.old)])],
  },
  {
    // A created, deleted or newly listing Organization: its Repositories (also those waiting for it).
    kind: 'Organization',
    map: (event) => {
      if (event.type !== 'MODIFIED') return listedRepos(event.old ?? event.object);
      const before = new Set(listedRepos(event.old));
      const uidChanged = event.old?.metadata.uid !== event.object.metadata.uid;
      return listedRepos(event.object).filter((repo) => uidChanged || !before.has(repo));
    },
  },
];

/**
 * Repository → Organization: `status.tags`/`latestTag`/`tagCount` from its Images, keyword labels of
 * the latest tag, the Organization created when missing (or waited for), and deletion once empty.
 */
export function repositoryReconciler(policy: CataloguePolicy): ReconcilerDefinition<'Repository'> {
  return {
    name: 'repository',
    kind: 'Repository',
    reconcile: (name, context) => reconcileRepository(policy, name, context),
    watches: repositoryWatches,
  };
}

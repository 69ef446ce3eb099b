import { isDeepStrictEqual } from 'node:util';
import {
  IMAGEHUB_API_VERSION,
  LABEL_ORGANIZATION,
  labelValue,
  type Organization,
  organizationMetadataName,
  parseOrganizationName,
  parseRepositoryName,
  repositoryMetadataName,
} from '@hub/api-types';
import { organizationManagers, uniqueManagers } from '@hub/api-types/access';
import type {
  CacheView,
  CataloguePolicy,
  KubeObject,
  ReconcileContext,
  ReconcilerDefinition,
  WatchMapping,
} from '../client.ts';
import {
  organizationRbac,
  organizationRoleName,
  RBAC_API_VERSION,
} from '../permissions/organization-rbac.ts';
import { catalogueRef, ownerReferencesOf, specNameOf } from './object-refs.ts';
import { applyStatusIfChanged } from './status-writer.ts';
import { onlyStatusChanged } from './watch-filters.ts';

/** The `spec.name`s of the Organization's live Repositories, sorted and unique. */
export function repositoriesOfOrganization(cache: CacheView, organization: string): string[] {
  const names = cache
    .list('Repository', { [LABEL_ORGANIZATION]: labelValue(organization).value })
    .flatMap((repo) => {
      if (repo.metadata.deletionTimestamp) return [];
      const parsed = parseRepositoryName(repo.spec.name);
      if (!parsed.success || parsed.data.organization !== organization) return [];
      return repo.metadata.name === repositoryMetadataName(parsed.data) ? [repo.spec.name] : [];
    });
  return [...new Set(names)].sort();
}

// The parts of an RBAC object the controller sets; anything else (managedFields, aggregation) is ignored.
function rbacMatches(actual: KubeObject | undefined, desired: KubeObject): boolean {
  if (actual === undefined) return false;
  const fields = desired.kind === 'ClusterRole' ? ['rules'] : ['roleRef', 'subjects'];
  const sameOwner = isDeepStrictEqual(ownerReferencesOf(actual), desired.metadata.ownerReferences);
  const sameLabels = Object.entries(desired.metadata.labels ?? {}).every(
    ([k, v]) => actual.metadata.labels?.[k] === v,
  );
  // An empty subjects list is stored as absent.
  const normalise = (object: KubeObject, field: string) => {
    const value = object[field];
    return Array.isArray(value) && value.length === 0 ? undefined : value;
  };
  return (
    sameOwner &&
    sameLabels &&
    fields.every((field) => isDeepStrictEqual(normalise(actual, field), normalise(desired, field)))
  );
}

async function removeRbac(name: string, context: ReconcileContext): Promise<void> {
  const roleName = organizationRoleName(name);
  for (const kind of ['ClusterRoleBinding', 'ClusterRole'] as const) {
    const existing = context.client.cache.getObject({ apiVersion: RBAC_API_VERSION, kind, name: roleName });
    if (existing === undefined) continue;
    const uid = existing.metadata.uid;
    await context.client.delete(
      { apiVersion: RBAC_API_VERSION, kind, name: roleName },
      uid === undefined ? {} : { preconditions: { uid } },
    );
    context.log.info('deleted RBAC of a deleted Organization', { kind, name: roleName });
  }
}

async function reconcileOrganization(
  policy: CataloguePolicy,
  name: string,
  context: ReconcileContext,
): Promise<undefined> {
  const { client } = context;
  const organization = client.cache.get('Organization', name);
  if (organization === undefined) {
    await removeRbac(name, context);
    return undefined;
  }
  if (organization.metadata.deletionTimestamp) return undefined;
  const parsed = parseOrganizationName(organization.spec.name);
  const problem = !parsed.success
    ? { reason: 'InvalidName', message: parsed.error.message }
    : organizationMetadataName(parsed.data) !== name
      ? {
          reason: 'NameMismatch',
          message: `metadata.name must be "${organizationMetadataName(parsed.data)}" (derived from spec.name ${organization.spec.name}).`,
        }
      : undefined;
  if (problem !== undefined) {
    await applyStatusIfChanged(
      'Organization',
      organization,
      { fields: {}, ready: { type: 'Ready', status: 'False', ...problem } },
      context,
    );
    return undefined;
  }

  const changes: string[] = [];
  const managers = Array.isArray(organization.spec.manager) ? organization.spec.manager : [];
  const unique = uniqueManagers(managers);
  if (unique.length !== managers.length) {
    await client.apply(
      {
        apiVersion: IMAGEHUB_API_VERSION,
        kind: 'Organization',
        metadata: { name },
        spec: { name: organization.spec.name, manager: unique },
      },
      { force: true },
    );
    changes.push('removed duplicate managers');
  }

  // Permissions follow the deduplicated managers at once (the write above brings another pass).
  const effective: Organization = { ...organization, spec: { ...organization.spec, manager: unique } };
  const { clusterRole, clusterRoleBinding } = organizationRbac(effective, policy.userNamespace);
  for (const desired of [clusterRole, clusterRoleBinding]) {
    const actual = client.cache.getObject({
      apiVersion: RBAC_API_VERSION,
      kind: desired.kind,
      name: desired.metadata.name ?? '',
    });
    if (rbacMatches(actual, desired)) continue;
    await client.apply(desired, { force: true });
    changes.push(`${desired.kind} ${desired.metadata.name}`);
  }

  const repos = repositoriesOfOrganization(client.cache, organization.spec.name);
  const managerCount = organizationManagers(effective).length;
  const wroteStatus = await applyStatusIfChanged(
    'Organization',
    organization,
    {
      fields: { repos },
      ready: {
        type: 'Ready',
        status: 'True',
        reason: 'Synced',
        message: `${repos.length} repositor${repos.length === 1 ? 'y' : 'ies'}, ${managerCount} manager${managerCount === 1 ? '' : 's'}`,
      },
    },
    context,
  );
  if (wroteStatus) changes.push('status');
  if (changes.length > 0) {
    client.recordEvent(catalogueRef('Organization', organization), {
      type: 'Normal',
      reason: 'Synced',
      message: changes.join('; '),
    });
  }
  return undefined;
}

function organizationOfRepository(object: KubeObject | undefined): string[] {
  const specName = specNameOf(object);
  if (specName === undefined) return [];
  const parsed = parseRepositoryName(specName);
  return parsed.success ? [organizationMetadataName(parsed.data.organization)] : [];
}

// Repository changes that can change an Organization's `repos`: not its status updates.
function repositoryMembershipChanged(event: { type: string; object: KubeObject; old?: KubeObject }): boolean {
  if (event.type !== 'MODIFIED' || event.old === undefined) return true;
  return (
    !isDeepStrictEqual(event.old.spec, event.object.spec) ||
    !isDeepStrictEqual(event.old.metadata.labels, event.object.metadata.labels) ||
    Boolean(event.old.metadata.deletionTimestamp) !== Boolean(event.object.metadata.deletionTimestamp)
  );
}

function owningOrganizations(object: KubeObject): string[] {
  return ownerReferencesOf(object)
    .filter((ref) => ref.kind === 'Organization' && ref.apiVersion === IMAGEHUB_API_VERSION)
    .map((ref) => ref.name);
}

const organizationWatches: readonly WatchMapping[] = [
  {
    kind: 'Organization',
    map: (event) => (onlyStatusChanged(event) ? [] : [event.object.metadata.name ?? ''].filter(Boolean)),
  },
  {
    kind: 'Repository',
    map: (event) =>
      repositoryMembershipChanged(event)
        ? [...new Set([...organizationOfRepository(event.object), ...organizationOfRepository(event.old)])]
        : [],
  },
  { kind: 'ClusterRole', map: (event) => owningOrganizations(event.object) },
  { kind: 'ClusterRoleBinding', map: (event) => owningOrganizations(event.object) },
];

/**
 * Organization: duplicate managers removed, a ClusterRole and ClusterRoleBinding letting the
 * managers edit and delete it, and `status.repos`.
 */
export function organizationReconciler(policy: CataloguePolicy): ReconcilerDefinition<'Organization'> {
  return {
    name: 'organization',
    kind: 'Organization',
    reconcile: (name, context) => reconcileOrganization(policy, name, context),
    watches: organizationWatches,
  };
}

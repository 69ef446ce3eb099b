import {
  type Organization,
  organizationMetadataName,
  parseRepositoryName,
  type Repository,
  repositoryMetadataName,
} from '@hub/api-types';
import type { CacheView } from '@hub/reconcilers';
import { CLUSTER_ADMIN_GROUP, type RegistryIdentity } from './identity.ts';
import type { TokenAccess } from './registry-token.ts';
import type { ResourceScope } from './scope.ts';

/** The part of the controller's informer cache authorization reads (Organizations and Repositories). */
export type RegistryAuthCache = Pick<CacheView, 'get'>;

/** Manager matching; the token handler uses `@hub/reconcilers`' `isOrganizationManager`, the webhooks' rule. */
export type IsOrganizationManager = (
  organization: Organization,
  user: { username: string; groups: readonly string[] },
) => boolean;

/** Inputs of {@link authorizeScopes}. */
export interface AuthorizeInput {
  scopes: readonly ResourceScope[];
  /** Undefined for anonymous requests. */
  identity: RegistryIdentity | undefined;
  cache: RegistryAuthCache;
  isOrganizationManager: IsOrganizationManager;
}

/** What a token may carry, and which Repositories it counts as a download. */
export interface AuthorizationResult {
  /** Granted scopes only: a scope with no allowed action is left out (the registry then refuses it). */
  access: TokenAccess[];
  /** `metadata.name`s of Repositories pulled (pull granted, push not asked: a push is not a download). */
  downloads: string[];
}

const MANAGER_ACTIONS: readonly string[] = ['pull', 'push'];
const PUBLIC_ACTIONS: readonly string[] = ['pull'];

function lookupOrganization(cache: RegistryAuthCache, name: string): Organization | undefined {
  const org = cache.get('Organization', organizationMetadataName(name));
  // metadata.name is derived; spec.name is the truth (a stale or hand-made object must not grant).
  return org?.spec.name === name ? org : undefined;
}

function lookupRepository(cache: RegistryAuthCache, name: string): Repository | undefined {
  const repo = cache.get('Repository', repositoryMetadataName(name));
  return repo?.spec.name === name ? repo : undefined;
}

function repositoryActions(
  scope: ResourceScope,
  input: AuthorizeInput,
): { allowed: readonly string[]; repository: Repository | undefined } {
  const parsed = parseRepositoryName(scope.name);
  if (!parsed.success) return { allowed: [], repository: undefined };
  const { identity, cache } = input;
  const repository = lookupRepository(cache, scope.name);
  if (identity?.groups.includes(CLUSTER_ADMIN_GROUP)) return { allowed: MANAGER_ACTIONS, repository };
  const organization = lookupOrganization(cache, parsed.data.organization);
  // Managers push even into a repository that has no Repository object yet.
  if (identity && organization && input.isOrganizationManager(organization, identity)) {
    return { allowed: MANAGER_ACTIONS, repository };
  }
  // Without a Repository object nothing says the repository is public: unknown is private.
  if (repository && repository.spec.isPrivate === false) return { allowed: PUBLIC_ACTIONS, repository };
  return { allowed: [], repository };
}

/**
 * Decides which of the requested actions a caller gets, from Organizations and Repositories in the cache:
 * managers (and cluster admins) pull and push `org/*`; everyone, anonymous too, pulls public repositories;
 * private or unknown repositories grant nothing else; `registry:catalog:*` is for `system:masters` only.
 */
export function authorizeScopes(input: AuthorizeInput): AuthorizationResult {
  const access: TokenAccess[] = [];
  const downloads: string[] = [];
  for (const scope of input.scopes) {
    if (scope.type === 'registry' && scope.class === undefined && scope.name === 'catalog') {
      if (input.identity?.groups.includes(CLUSTER_ADMIN_GROUP) && scope.actions.includes('*')) {
        access.push({ type: 'registry', name: 'catalog', actions: ['*'] });
      }
      continue;
    }
    if (scope.type !== 'repository' || scope.class !== undefined) continue;
    const { allowed, repository } = repositoryActions(scope, input);
    const actions = scope.actions.filter((action) => allowed.includes(action));
    if (actions.length === 0) continue;
    access.push({ type: 'repository', name: scope.name, actions });
    if (repository?.metadata.name && actions.includes('pull') && !scope.actions.includes('push')) {
      downloads.push(repository.metadata.name);
    }
  }
  return { access, downloads };
}

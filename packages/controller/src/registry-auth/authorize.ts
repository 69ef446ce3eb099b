import {
  type Organization,
  organizationMetadataName,
  parseRepositoryName,
  type Repository,
  repositoryMetadataName,
} from '@hub/api-types';
import { isClusterAdmin, type RegistryAction, repositoryAccess } from '@hub/api-types/access';
import type { CacheView } from '@hub/reconcilers';
import type { RegistryIdentity } from './identity.ts';
import type { TokenAccess } from './registry-token.ts';
import type { ResourceScope } from './scope.ts';

/** The part of the controller's informer cache authorization reads (Organizations and Repositories). */
export type RegistryAuthCache = Pick<CacheView, 'get'>;

/** Inputs of {@link authorizeScopes}. */
export interface AuthorizeInput {
  scopes: readonly ResourceScope[];
  /** Undefined for anonymous requests. */
  identity: RegistryIdentity | undefined;
  cache: RegistryAuthCache;
  /** Whose ServiceAccounts are users (`--user-namespace`), as the webhooks match managers. */
  userNamespace?: string | undefined;
}

/** What a token may carry, and which Repositories it counts as a download. */
export interface AuthorizationResult {
  /** Granted scopes only: a scope with no allowed action is left out (the registry then refuses it). */
  access: TokenAccess[];
  /** `metadata.name`s of Repositories pulled (pull granted, push not asked: a push is not a download). */
  downloads: string[];
}

function repositoryScope(
  scope: ResourceScope,
  input: AuthorizeInput,
): { allowed: readonly RegistryAction[]; repository: Repository | undefined } {
  const parsed = parseRepositoryName(scope.name);
  if (!parsed.success) return { allowed: [], repository: undefined };
  const organization = input.cache.get('Organization', organizationMetadataName(parsed.data.organization)) as
    | Organization
    | undefined;
  const repository = input.cache.get('Repository', repositoryMetadataName(parsed.data)) as
    | Repository
    | undefined;
  const decision = repositoryAccess({
    repository: scope.name,
    repositoryObject: repository,
    organizationObject: organization,
    requester: input.identity,
    userNamespace: input.userNamespace,
  });
  // Downloads count only the Repository the rule read (spec.name confirmed, as the rule does).
  return {
    allowed: decision.actions,
    repository: repository?.spec.name === scope.name ? repository : undefined,
  };
}

/**
 * Decides which of the requested actions a caller gets, with the hub's one access rule
 * (`repositoryAccess` from `@hub/api-types/access`) over the Organizations and Repositories in the
 * cache: managers and cluster admins pull and push `org/*`; everyone, anonymous too, pulls public
 * repositories (a repository with no Repository object takes its Organization's `defaultPrivate`,
 * private when unset); `registry:catalog:*` is for `system:masters` only.
 */
export function authorizeScopes(input: AuthorizeInput): AuthorizationResult {
  const access: TokenAccess[] = [];
  const downloads: string[] = [];
  for (const scope of input.scopes) {
    if (scope.type === 'registry' && scope.class === undefined && scope.name === 'catalog') {
      if (isClusterAdmin(input.identity) && scope.actions.includes('*')) {
        access.push({ type: 'registry', name: 'catalog', actions: ['*'] });
      }
      continue;
    }
    if (scope.type !== 'repository' || scope.class !== undefined) continue;
    const { allowed, repository } = repositoryScope(scope, input);
    const actions = scope.actions.filter((action) => (allowed as readonly string[]).includes(action));
    if (actions.length === 0) continue;
    access.push({ type: 'repository', name: scope.name, actions });
    if (repository?.metadata.name && actions.includes('pull') && !scope.actions.includes('push')) {
      downloads.push(repository.metadata.name);
    }
  }
  return { access, downloads };
}

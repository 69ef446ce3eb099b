/**
 * The visibility of an organization's repositories that have no Repository object, and of the
 * Repositories the controller creates: private, unless the Organization says otherwise. Visibility
 * never widens by itself.
 */
export const DEFAULT_PRIVATE = true;

/** The part of an Organization visibility reads. */
export interface VisibilityOrganization {
  readonly spec?: { readonly name?: string | undefined; readonly defaultPrivate?: boolean | undefined };
}

/** The part of a Repository visibility reads. */
export interface VisibilityRepository {
  readonly spec?: { readonly name?: string | undefined; readonly isPrivate?: boolean | undefined };
}

/** `spec.defaultPrivate` of the Organization; `true` when it is unset or the Organization is missing. */
export function organizationDefaultPrivate(organization: VisibilityOrganization | undefined): boolean {
  const value = organization?.spec?.defaultPrivate;
  return typeof value === 'boolean' ? value : DEFAULT_PRIVATE;
}

/**
 * Whether a repository is private. A Repository object decides with `spec.isPrivate`; unset means
 * public, as the CRD's default says (the apiserver writes that default into every stored object,
 * so seed YAML without the field stays public), and anything that is not a boolean counts as
 * private. Without a Repository object, the Organization's default decides.
 */
export function isRepositoryPrivate(
  repository: VisibilityRepository | undefined,
  organization: VisibilityOrganization | undefined,
): boolean {
  if (repository === undefined) return organizationDefaultPrivate(organization);
  const value: unknown = repository.spec?.isPrivate;
  if (value === undefined) return false;
  return value !== false;
}

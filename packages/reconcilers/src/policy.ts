import type { CataloguePolicy } from './client.ts';

/** The defaults of the `hub-controller` flags. */
export const DEFAULT_CATALOGUE_POLICY: Readonly<CataloguePolicy> = Object.freeze({
  missingOrganization: 'create',
  deleteEmptyRepositories: true,
  controllerNamespace: 'imagehub-system',
  userNamespace: 'user-system',
  organizationCreation: 'anyone',
});

/** A complete policy from the defaults and the given overrides. */
export function cataloguePolicy(overrides: Partial<CataloguePolicy> = {}): CataloguePolicy {
  return { ...DEFAULT_CATALOGUE_POLICY, ...overrides };
}

/** Who asked for a token, as the TokenReview API reported it. Anonymous requests have none. */
export interface RegistryIdentity {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
}

/** Cluster admins: the only identities that may list the registry catalogue. */
export const CLUSTER_ADMIN_GROUP = 'system:masters';

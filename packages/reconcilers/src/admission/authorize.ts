import type { Organization } from '@hub/api-types';
import { isOrganizationManager } from '@hub/api-types/access';
import type { CataloguePolicy } from '../client.ts';
import { isAuthenticated, isPrivilegedIdentity, type Requester } from '../permissions/identity.ts';
import { mayCreateOrganization } from '../permissions/organization-creation.ts';
import { describeRequester } from './request-fields.ts';

/** Why a catalogue write was allowed or denied. */
export type CatalogueWriteReason =
  | 'privileged'
  | 'manager'
  | 'first-pusher'
  | 'not-manager'
  | 'unauthenticated'
  | 'organization-missing'
  | 'organization-creation-restricted';

export interface CatalogueWriteDecision {
  allowed: boolean;
  reason: CatalogueWriteReason;
  /** For people: names the user and the organization, and what to do. */
  message: string;
}

export interface CatalogueWriteRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  /** `Image labring/mysql:v1`, for messages. */
  subject: string;
  /** The organization part of the name. */
  organization: string;
  /** The Organization from the cache; undefined when it does not exist. */
  existing: Pick<Organization, 'spec'> | undefined;
  requester: Requester;
  /** The requester recorded on the stored object (UPDATE/DELETE), see ANNOTATION_REQUESTER. */
  recordedRequester?: string | undefined;
  policy: CataloguePolicy;
}

const verbs = { CREATE: 'create', UPDATE: 'update', DELETE: 'delete' } as const;

/**
 * Who may create, update and delete Images and Repositories (and, with `existing` the stored
 * Organization, update or delete that Organization): the organization's managers, cluster admins,
 * kube-system and the controller. A missing organization is first come, first served under policy
 * `create` (any requester who may create Organizations may create; only the recorded first pusher
 * may change it until the Organization exists), and closed to all but the privileged under `wait`.
 */
export function authorizeCatalogueWrite(request: CatalogueWriteRequest): CatalogueWriteDecision {
  const { operation, subject, organization, existing, requester, policy } = request;
  const who = describeRequester(requester);
  const verb = verbs[operation];
  if (isPrivilegedIdentity(requester, policy)) {
    return { allowed: true, reason: 'privileged', message: `${who} is privileged` };
  }
  if (!isAuthenticated(requester)) {
    return {
      allowed: false,
      reason: 'unauthenticated',
      message: `${who} may not ${verb} ${subject}: authenticate first`,
    };
  }
  if (existing !== undefined) {
    if (isOrganizationManager(existing, requester, { userNamespace: policy.userNamespace })) {
      return { allowed: true, reason: 'manager', message: `${who} manages organization "${organization}"` };
    }
    return {
      allowed: false,
      reason: 'not-manager',
      message: `${who} is not a manager of organization "${organization}" and may not ${verb} ${subject}; ask one of its managers to add you to spec.manager`,
    };
  }
  if (policy.missingOrganization === 'create') {
    if (operation === 'CREATE') {
      // The controller creates the Organization for its first pusher: only for one who may create it.
      const creation = mayCreateOrganization(requester, policy, who);
      if (!creation.allowed) {
        return {
          allowed: false,
          reason: 'organization-creation-restricted',
          message: `organization "${organization}" does not exist, so ${subject} would create it, but ${creation.message}`,
        };
      }
      return {
        allowed: true,
        reason: 'first-pusher',
        message: `organization "${organization}" does not exist yet; it will be created with ${who} as its creator`,
      };
    }
    if (request.recordedRequester !== undefined && request.recordedRequester === requester.username) {
      return { allowed: true, reason: 'first-pusher', message: `${who} pushed ${subject} first` };
    }
    return {
      allowed: false,
      reason: 'organization-missing',
      message: `organization "${organization}" does not exist yet and ${who} did not create ${subject}, so may not ${verb} it; try again once the Organization exists`,
    };
  }
  return {
    allowed: false,
    reason: 'organization-missing',
    message: `organization "${organization}" does not exist, so ${who} may not ${verb} ${subject}; ask a cluster admin to create the Organization`,
  };
}

import {
  imageMetadataName,
  organizationMetadataName,
  parseImageHubName,
  parseOrganizationName,
  parseRepositoryName,
  repositoryMetadataName,
} from '@hub/api-types';
import type {
  AdmissionDecision,
  AdmissionDefinition,
  AdmissionRequest,
  CacheView,
  CataloguePolicy,
} from '../client.ts';
import { isAuthenticated, isPrivilegedIdentity, type Requester } from '../permissions/identity.ts';
import { mayCreateOrganization } from '../permissions/organization-creation.ts';
import { authorizeCatalogueWrite } from './authorize.ts';
import { allow, deny, safeReview } from './decision.ts';
import { dottedNameHint } from './dotted-name-hint.ts';
import { describeForeignObject, foreignObjectOf } from './organization-squatting.ts';
import {
  asRecord,
  describeRequester,
  kindOf,
  operationOf,
  requesterOf,
  stringAt,
  subjectObject,
} from './request-fields.ts';
import { recordedRequester } from './requester-annotation.ts';

type Context = { cache: CacheView; policy: CataloguePolicy };
type Kind = 'Image' | 'Repository' | 'Organization';

/** How one kind's names are parsed and derived. */
interface Naming {
  parse(
    specName: string,
  ): { success: true; organization: string; metadataName: string } | { success: false; message: string };
}

const naming: Record<Kind, Naming> = {
  Image: {
    parse(specName) {
      const parsed = parseImageHubName(specName);
      return parsed.success
        ? {
            success: true,
            organization: parsed.data.organization,
            metadataName: imageMetadataName(parsed.data),
          }
        : { success: false, message: parsed.error.message };
    },
  },
  Repository: {
    parse(specName) {
      const parsed = parseRepositoryName(specName);
      return parsed.success
        ? {
            success: true,
            organization: parsed.data.organization,
            metadataName: repositoryMetadataName(parsed.data),
          }
        : { success: false, message: parsed.error.message };
    },
  },
  Organization: {
    parse(specName) {
      const parsed = parseOrganizationName(specName);
      return parsed.success
        ? { success: true, organization: parsed.data, metadataName: organizationMetadataName(parsed.data) }
        : { success: false, message: parsed.error.message };
    },
  },
};

function quoted(value: string | undefined): string {
  return value === undefined ? 'without a name' : `"${value.slice(0, 100)}"`;
}

function review(kind: Kind, request: AdmissionRequest, { cache, policy }: Context): AdmissionDecision {
  const operation = operationOf(request);
  if (operation === undefined) return deny(400, `the admission request has no valid operation`);
  if (operation === 'CONNECT') return allow();
  if (kindOf(request) !== kind)
    return deny(400, `this webhook reviews ${kind} objects, not ${kindOf(request) ?? 'an unknown kind'}`);
  const object = subjectObject(request, operation);
  if (object === undefined) return deny(400, `the ${operation} request for a ${kind} carries no object`);
  const requester = requesterOf(request);
  const metadataName = stringAt(object, 'metadata', 'name');
  const specName = stringAt(object, 'spec', 'name');
  const subject = `${kind} ${quoted(specName ?? metadataName)}`;

  const parsed = naming[kind].parse(specName ?? '');
  if (!parsed.success) {
    // Objects stored before this webhook may have any name: only the privileged may delete those.
    if (operation === 'DELETE' && isPrivilegedIdentity(requester, policy)) return allow();
    return deny(422, `${kind} ${quoted(metadataName)}: spec.name ${parsed.message}`);
  }
  const oldObject = asRecord(asRecord(request)?.oldObject);
  if (operation === 'UPDATE') {
    const before = stringAt(oldObject, 'spec', 'name');
    if (before !== undefined && before !== specName) {
      return deny(
        422,
        `${subject}: spec.name is immutable (it was "${before}"); create a new ${kind} instead`,
      );
    }
  }

  if (operation !== 'DELETE' && metadataName !== parsed.metadataName) {
    return deny(
      422,
      `${subject}: metadata.name must be "${parsed.metadataName}", derived from spec.name (got ${quoted(metadataName)})${dottedNameHint(metadataName, parsed.metadataName)}`,
    );
  }
  if (kind === 'Organization')
    return reviewOrganizationRights(operation, subject, parsed.organization, object, oldObject, request, {
      cache,
      policy,
    });
  const decision = authorizeCatalogueWrite({
    operation,
    subject,
    organization: parsed.organization,
    existing: cache.get('Organization', organizationMetadataName(parsed.organization)),
    requester,
    recordedRequester: recordedRequester(oldObject),
    policy,
  });
  if (!decision.allowed) return deny(403, decision.message);
  return decision.reason === 'first-pusher' && operation === 'CREATE'
    ? allow(undefined, [decision.message])
    : allow();
}

function reviewOrganizationRights(
  operation: 'CREATE' | 'UPDATE' | 'DELETE',
  subject: string,
  organization: string,
  object: Record<string, unknown>,
  oldObject: Record<string, unknown> | undefined,
  request: AdmissionRequest,
  { cache, policy }: Context,
): AdmissionDecision {
  const requester = requesterOf(request);
  if (operation === 'CREATE')
    return reviewOrganizationCreate(subject, organization, requester, cache, policy);
  // Rights over an existing Organization come from what is stored, never from the update itself.
  const stored = oldObject ?? object;
  const decision = authorizeCatalogueWrite({
    operation,
    subject,
    organization,
    existing: { spec: { name: organization, ...(asRecord(stored.spec) ?? {}) } },
    requester,
    policy,
  });
  if (!decision.allowed) return deny(403, decision.message);
  const before = stringAt(oldObject, 'spec', 'creator');
  const after = stringAt(object, 'spec', 'creator');
  if (
    operation === 'UPDATE' &&
    before !== undefined &&
    before !== '' &&
    after !== before &&
    decision.reason !== 'privileged'
  ) {
    return deny(
      403,
      `${subject}: spec.creator is immutable (it is "${before}"); ${describeRequester(requester)} may add managers instead`,
    );
  }
  return allow();
}

// First come, first served, among those --organization-creation admits; and nobody but the
// privileged may found an organization over Images or Repositories that others pushed.
function reviewOrganizationCreate(
  subject: string,
  organization: string,
  requester: Requester,
  cache: CacheView,
  policy: CataloguePolicy,
): AdmissionDecision {
  if (isPrivilegedIdentity(requester, policy)) return allow();
  const who = describeRequester(requester);
  if (!isAuthenticated(requester)) return deny(403, `${who} may not create ${subject}: authenticate first`);
  const creation = mayCreateOrganization(requester, policy, who);
  if (!creation.allowed) return deny(403, creation.message);
  const foreign = foreignObjectOf(cache, organization, requester);
  if (foreign !== undefined) {
    return deny(
      403,
      `${who} may not create ${subject}: the organization already has Images or Repositories that others created, such as ${describeForeignObject(foreign)}; ask a cluster admin to create it`,
    );
  }
  return allow();
}

function validation(kind: Kind, resource: string): AdmissionDefinition {
  const name = `${resource}-validation`;
  return {
    name,
    path: `/validate-imagehub-sealos-io-v1-${resource}`,
    type: 'validating',
    kind,
    operations: ['CREATE', 'UPDATE', 'DELETE'],
    review: safeReview(name, (request, context: Context) => review(kind, request, context)),
  };
}

/** Image: name grammar, derived metadata.name, immutable spec.name, organization rights. */
export const imageValidation = validation('Image', 'image');
/** Repository: as for Images. */
export const repositoryValidation = validation('Repository', 'repository');
/** Organization: name grammar, derived metadata.name, immutable spec.name and creator, managers' rights. */
export const organizationValidation = validation('Organization', 'organization');

import { uniqueManagers } from '@hub/api-types/access';
import type {
  AdmissionDecision,
  AdmissionDefinition,
  AdmissionRequest,
  CacheView,
  CataloguePolicy,
  JsonPatchOperation,
} from '../client.ts';
import { isAuthenticated, isControllerIdentity, managerEntryFor } from '../permissions/identity.ts';
import { allow, safeReview } from './decision.ts';
import { setValue } from './json-patch.ts';
import { asRecord, operationOf, requesterOf, stringAt, valueAt } from './request-fields.ts';

type Context = { cache: CacheView; policy: CataloguePolicy };

function reviewOrganization(request: AdmissionRequest, { policy }: Context): AdmissionDecision {
  const operation = operationOf(request);
  const object = asRecord(asRecord(request)?.object);
  if ((operation !== 'CREATE' && operation !== 'UPDATE') || object === undefined) return allow();
  const requester = requesterOf(request);
  const given = stringAt(object, 'spec', 'creator');
  const rawManagers = valueAt(object, 'spec', 'manager');
  const managers = Array.isArray(rawManagers) ? rawManagers : [];
  let creator: string | undefined;
  if (operation === 'CREATE') {
    // The controller creates Organizations for their first pusher; everyone else creates their own.
    if (given !== undefined && given.length > 0 && isControllerIdentity(requester, policy)) creator = given;
    else if (isAuthenticated(requester))
      creator = managerEntryFor(requester.username ?? '', policy.userNamespace);
    else creator = given;
  } else {
    // An update that drops the creator (kubectl apply of a file without it) keeps the stored one.
    creator =
      given === undefined || given === '' ? stringAt(asRecord(request)?.oldObject, 'spec', 'creator') : given;
  }
  const ops: JsonPatchOperation[] = [];
  if (creator !== undefined && creator !== given) ops.push(...setValue(object, ['spec', 'creator'], creator));
  const wanted = uniqueManagers(
    operation === 'CREATE' && creator !== undefined ? [...managers, creator] : managers,
  );
  const unchanged =
    Array.isArray(rawManagers) &&
    wanted.length === managers.length &&
    wanted.every((m, i) => m === managers[i]);
  if (!unchanged && (wanted.length > 0 || Array.isArray(rawManagers))) {
    // After a creator op the spec exists; setValue on a spec-less object builds it once.
    const base = ops.length > 0 && asRecord(object.spec) === undefined ? { ...object, spec: {} } : object;
    ops.push(...setValue(base, ['spec', 'manager'], wanted));
  }
  return allow(ops);
}

/** Organization: on create the requester becomes creator and a manager; managers deduplicated. */
export const organizationMutation: AdmissionDefinition = {
  name: 'organization-mutation',
  path: '/mutate-imagehub-sealos-io-v1-organization',
  type: 'mutating',
  kind: 'Organization',
  operations: ['CREATE', 'UPDATE'],
  review: safeReview('organization-mutation', reviewOrganization),
};

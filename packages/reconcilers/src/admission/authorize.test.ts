import { ANNOTATION_REQUESTER } from '@hub/api-types';
import {
  type AdmissionRequest,
  authorizeCatalogueWrite,
  type CataloguePolicy,
  catalogueAdmission,
  cataloguePolicy,
  type KubeObject,
} from '@hub/reconcilers';
import { describe, expect, it } from 'vitest';
import { FakeCluster } from '../test-support/fake-cluster.ts';
import { admissionRequest, imageObject, organizationObject } from '../test-support/objects.ts';

const policy = cataloguePolicy({
  controllerIdentity: { username: 'hub-controller', groups: ['system:authenticated'] },
});
const authenticated = ['system:authenticated'];
const identities = {
  admin: { username: 'kubernetes-admin', groups: ['system:masters', ...authenticated] },
  gc: {
    username: 'system:serviceaccount:kube-system:generic-garbage-collector',
    groups: ['system:serviceaccounts:kube-system', ...authenticated],
  },
  controller: { username: 'hub-controller', groups: authenticated },
  controllerNamespace: {
    username: 'system:serviceaccount:imagehub-system:other',
    groups: ['system:serviceaccounts:imagehub-system', ...authenticated],
  },
  managerSa: {
    username: 'system:serviceaccount:user-system:alice',
    groups: ['system:serviceaccounts:user-system', ...authenticated],
  },
  managerUser: { username: 'carol', groups: authenticated },
  groupManager: { username: 'dave', groups: ['acme-devs', ...authenticated] },
  otherNamespaceSa: { username: 'system:serviceaccount:elsewhere:alice', groups: authenticated },
  stranger: { username: 'mallory', groups: authenticated },
  anonymous: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
} as const;
type Who = keyof typeof identities;
const acme = organizationObject('acme', 'alice', ['carol', 'group:acme-devs']);

const privileged: Who[] = ['admin', 'gc', 'controller'];
const managers: Who[] = ['managerSa', 'managerUser', 'groupManager'];
// Only the controller's own account is privileged, not its namespace's other accounts.
const others: Who[] = ['controllerNamespace', 'otherNamespaceSa', 'stranger', 'anonymous'];

function decide(
  who: Who,
  operation: 'CREATE' | 'UPDATE' | 'DELETE',
  existing: boolean,
  p: CataloguePolicy = policy,
  recorded?: string,
) {
  return authorizeCatalogueWrite({
    operation,
    subject: 'Image "acme/app:v1"',
    organization: 'acme',
    existing: existing ? acme : undefined,
    requester: identities[who],
    recordedRequester: recorded,
    policy: p,
  });
}

describe('the permission matrix (pure decisions)', () => {
  for (const operation of ['CREATE', 'UPDATE', 'DELETE'] as const) {
    it.each(privileged)(
      `${operation}: %s passes, with or without the Organization, under both policies`,
      (who) => {
        for (const missingOrganization of ['create', 'wait'] as const) {
          for (const existing of [true, false]) {
            expect(decide(who, operation, existing, { ...policy, missingOrganization })).toMatchObject({
              allowed: true,
              reason: 'privileged',
            });
          }
        }
      },
    );
    it.each(managers)(`${operation}: manager %s passes in its organization`, (who) => {
      expect(decide(who, operation, true)).toMatchObject({ allowed: true, reason: 'manager' });
    });
    it.each(others)(`${operation}: %s is denied, naming user and organization`, (who) => {
      const decision = decide(who, operation, true);
      expect(decision.allowed).toBe(false);
      if (who !== 'anonymous') {
        expect(decision.message).toContain(`user "${identities[who].username}"`);
        expect(decision.message).toContain('organization "acme"');
      }
    });
  }

  it('missing Organization, policy create: any authenticated requester may create; changes only by the first pusher', () => {
    expect(decide('stranger', 'CREATE', false)).toMatchObject({ allowed: true, reason: 'first-pusher' });
    expect(decide('anonymous', 'CREATE', false)).toMatchObject({ allowed: false, reason: 'unauthenticated' });
    expect(decide('stranger', 'UPDATE', false, policy, 'mallory')).toMatchObject({ allowed: true });
    expect(decide('stranger', 'DELETE', false, policy, 'alice')).toMatchObject({
      allowed: false,
      reason: 'organization-missing',
    });
  });

  it('missing Organization, policy wait: only the privileged', () => {
    const wait = { ...policy, missingOrganization: 'wait' as const };
    for (const who of [...managers, ...others]) {
      const decision = decide(who, 'CREATE', false, wait);
      expect(decision.allowed).toBe(false);
    }
    expect(decide('stranger', 'CREATE', false, wait).message).toContain(
      'ask a cluster admin to create the Organization',
    );
  });
});

describe('the permission matrix through the validating webhooks', () => {
  const cluster = new FakeCluster();
  cluster.create(acme);
  const review = (kind: string, request: AdmissionRequest, p: CataloguePolicy = policy) => {
    const hook = catalogueAdmission().find((w) => w.type === 'validating' && w.kind === kind);
    if (hook === undefined) throw new Error(kind);
    return hook.review(request, { cache: cluster, policy: p });
  };
  const image = imageObject('acme/app:v1', {}, { [ANNOTATION_REQUESTER]: 'mallory' });
  const repository: KubeObject = {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Repository',
    metadata: { name: 'acme.app' },
    spec: { name: 'acme/app' },
  };

  it.each(['CREATE', 'UPDATE', 'DELETE'] as const)('%s of Images and Repositories', (operation) => {
    for (const [kind, object] of [
      ['Image', image],
      ['Repository', repository],
    ] as const) {
      const request = (who: Who) =>
        admissionRequest(
          operation,
          kind,
          identities[who],
          operation === 'DELETE' ? undefined : object,
          operation === 'CREATE' ? undefined : object,
        );
      for (const who of [...privileged, ...managers])
        expect(review(kind, request(who)).allowed, `${kind} ${who}`).toBe(true);
      expect(review(kind, request('controllerNamespace'))).toMatchObject({ allowed: false, code: 403 });
      const denied = review(kind, request('stranger'));
      expect(denied).toMatchObject({ allowed: false, code: 403 });
      expect(denied.message).toBe(
        `user "mallory" is not a manager of organization "acme" and may not ${operation.toLowerCase()} ${kind} "acme/${kind === 'Image' ? 'app:v1' : 'app'}"; ask one of its managers to add you to spec.manager`,
      );
    }
  });

  it('an Image in a missing Organization: first come under create (with a warning), privileged only under wait', () => {
    const other = imageObject('newco/app:v1');
    const created = review('Image', admissionRequest('CREATE', 'Image', identities.stranger, other));
    expect(created).toMatchObject({ allowed: true });
    expect(created.warnings?.[0]).toContain('it will be created with user "mallory" as its creator');
    const wait = { ...policy, missingOrganization: 'wait' as const };
    expect(
      review('Image', admissionRequest('CREATE', 'Image', identities.stranger, other), wait),
    ).toMatchObject({ allowed: false, code: 403 });
    expect(
      review('Image', admissionRequest('CREATE', 'Image', identities.controller, other), wait),
    ).toMatchObject({ allowed: true });
  });

  it('Organization update and delete: rights come from the stored Organization', () => {
    const selfPromoted = organizationObject('acme', 'alice', ['carol', 'group:acme-devs', 'mallory']);
    const byStranger = review(
      'Organization',
      admissionRequest('UPDATE', 'Organization', identities.stranger, selfPromoted, acme),
    );
    expect(byStranger).toMatchObject({ allowed: false, code: 403 });
    expect(byStranger.message).toContain('user "mallory" is not a manager of organization "acme"');
    expect(
      review(
        'Organization',
        admissionRequest('UPDATE', 'Organization', identities.groupManager, selfPromoted, acme),
      ).allowed,
    ).toBe(true);
    expect(
      review('Organization', admissionRequest('DELETE', 'Organization', identities.stranger, undefined, acme))
        .allowed,
    ).toBe(false);
    expect(
      review(
        'Organization',
        admissionRequest('DELETE', 'Organization', identities.managerSa, undefined, acme),
      ).allowed,
    ).toBe(true);
  });

  it('the creator is immutable except for the privileged', () => {
    const newCreator = organizationObject('acme', 'carol', ['carol', 'group:acme-devs']);
    const byManager = review(
      'Organization',
      admissionRequest('UPDATE', 'Organization', identities.managerUser, newCreator, acme),
    );
    expect(byManager).toMatchObject({ allowed: false, code: 403 });
    expect(byManager.message).toContain('spec.creator is immutable');
    expect(
      review('Organization', admissionRequest('UPDATE', 'Organization', identities.admin, newCreator, acme))
        .allowed,
    ).toBe(true);
  });
});

import {
  isOrganizationManager,
  managerEntryFor,
  managerSubjects,
  organizationManagers,
  parseServiceAccountUsername,
  uniqueManagers,
} from '@hub/reconcilers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const org = (creator: string | undefined, manager?: unknown[]) => ({
  spec: {
    ...(creator === undefined ? {} : { creator }),
    ...(manager === undefined ? {} : { manager: manager as string[] }),
  },
});

describe('organizationManagers', () => {
  it('is the creator then spec.manager, without duplicates or empty entries, in order', () => {
    expect(organizationManagers(org('alice', ['bob', 'alice', '', 'carol', 'bob']))).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
    expect(organizationManagers(org(undefined, ['bob', 7, null, 'bob']))).toEqual(['bob']);
    expect(organizationManagers({})).toEqual([]);
  });

  it('uniqueManagers keeps the first occurrence of each entry (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'group:d', '')), (entries) => {
        const unique = uniqueManagers(entries);
        expect(new Set(unique).size).toBe(unique.length);
        expect(unique).toEqual(entries.filter((e, i) => e !== '' && entries.indexOf(e) === i));
      }),
    );
  });
});

describe('isOrganizationManager', () => {
  const acme = org('alice', ['kubernetes-admin', 'group:acme-devs', 'system:serviceaccount:ci:pusher']);

  it.each([
    ['the exact username', { username: 'kubernetes-admin' }, true],
    [
      'a user-namespace ServiceAccount by its short name',
      { username: 'system:serviceaccount:user-system:alice' },
      true,
    ],
    ['a plain user named like the short form', { username: 'alice' }, true],
    ['the short name from another namespace', { username: 'system:serviceaccount:other:alice' }, false],
    ['a full ServiceAccount entry', { username: 'system:serviceaccount:ci:pusher' }, true],
    ['a member of a group entry', { username: 'dave', groups: ['acme-devs'] }, true],
    ['a user named like the group', { username: 'acme-devs' }, false],
    ['a user named like the group entry itself', { username: 'group:acme-devs' }, false],
    ['someone else', { username: 'mallory', groups: ['system:authenticated'] }, false],
    ['no username', { groups: ['system:masters'] }, false],
  ])('%s → %s', (_what, requester, expected) => {
    expect(isOrganizationManager(acme, requester)).toBe(expected);
  });

  it('honours the user namespace option', () => {
    const user = { username: 'system:serviceaccount:tenants:alice' };
    expect(isOrganizationManager(acme, user)).toBe(false);
    expect(isOrganizationManager(acme, user, { userNamespace: 'tenants' })).toBe(true);
  });

  it('an empty group entry matches nobody', () => {
    expect(isOrganizationManager(org(undefined, ['group:']), { username: 'x', groups: [''] })).toBe(false);
  });
});

describe('identities and subjects', () => {
  it('managerEntryFor strips only the user namespace prefix', () => {
    expect(managerEntryFor('system:serviceaccount:user-system:alice', 'user-system')).toBe('alice');
    expect(managerEntryFor('system:serviceaccount:ci:bot', 'user-system')).toBe(
      'system:serviceaccount:ci:bot',
    );
    expect(managerEntryFor('kubernetes-admin', 'user-system')).toBe('kubernetes-admin');
  });

  it('parseServiceAccountUsername rejects malformed names', () => {
    expect(parseServiceAccountUsername('system:serviceaccount:ns:name')).toEqual({
      namespace: 'ns',
      name: 'name',
    });
    expect(parseServiceAccountUsername('system:serviceaccount::name')).toBeUndefined();
    expect(parseServiceAccountUsername('system:serviceaccount:ns:')).toBeUndefined();
    expect(parseServiceAccountUsername('alice')).toBeUndefined();
  });

  it('every subject binds a real identity the entry matches', () => {
    expect(
      managerSubjects(['Alice@Example.com', 'group:devs', 'system:serviceaccount:ci:bot'], 'user-system'),
    ).toEqual([
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'Alice@Example.com' },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
      { kind: 'ServiceAccount', name: 'bot', namespace: 'ci' },
    ]);
  });
});

import {
  canPullRepository,
  isRepositoryPrivate,
  organizationDefaultPrivate,
  repositoryAccess,
} from '@hub/api-types/access';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const org = (
  spec: { defaultPrivate?: boolean; creator?: string; manager?: string[] } = {},
  name = 'acme',
) => ({
  spec: { name, ...spec },
});
const repo = (isPrivate: boolean | undefined, name = 'acme/app') => ({
  spec: isPrivate === undefined ? { name } : { name, isPrivate },
});
const alice = { username: 'alice', groups: ['system:authenticated'] };
const bob = { username: 'bob', groups: ['system:authenticated'] };
const admin = { username: 'root', groups: ['system:masters'] };

describe('visibility', () => {
  it('an Organization defaults to private; defaultPrivate false opens it', () => {
    expect(organizationDefaultPrivate(undefined)).toBe(true);
    expect(organizationDefaultPrivate(org())).toBe(true);
    expect(organizationDefaultPrivate(org({ defaultPrivate: false }))).toBe(false);
    expect(organizationDefaultPrivate(org({ defaultPrivate: true }))).toBe(true);
  });

  it('a Repository object decides; unset isPrivate is the CRD default (public); junk is private', () => {
    expect(isRepositoryPrivate(repo(true), org({ defaultPrivate: false }))).toBe(true);
    expect(isRepositoryPrivate(repo(false), org())).toBe(false);
    expect(isRepositoryPrivate(repo(undefined), org())).toBe(false);
    expect(
      isRepositoryPrivate({ spec: { name: 'acme/app', isPrivate: 'no' as unknown as boolean } }, org()),
    ).toBe(true);
  });

  it('without a Repository object the Organization default decides, private when it is missing', () => {
    expect(isRepositoryPrivate(undefined, undefined)).toBe(true);
    expect(isRepositoryPrivate(undefined, org())).toBe(true);
    expect(isRepositoryPrivate(undefined, org({ defaultPrivate: false }))).toBe(false);
  });
});

describe('repositoryAccess', () => {
  it('anonymous callers pull public repositories only', () => {
    expect(repositoryAccess({ repository: 'acme/app', repositoryObject: repo(false) })).toMatchObject({
      actions: ['pull'],
      reason: 'public',
    });
    expect(repositoryAccess({ repository: 'acme/app', repositoryObject: repo(true) }).actions).toEqual([]);
  });

  it('a repository with no Repository object is private unless its Organization says public', () => {
    expect(repositoryAccess({ repository: 'acme/app', organizationObject: org() }).actions).toEqual([]);
    expect(repositoryAccess({ repository: 'acme/app' }).actions).toEqual([]);
    expect(
      repositoryAccess({ repository: 'acme/app', organizationObject: org({ defaultPrivate: false }) })
        .actions,
    ).toEqual(['pull']);
  });

  it('managers pull and push, private or not, even before the Repository exists', () => {
    const organizationObject = org({ creator: 'alice' });
    expect(
      repositoryAccess({
        repository: 'acme/app',
        organizationObject,
        requester: alice,
        repositoryObject: repo(true),
      }),
    ).toMatchObject({ actions: ['pull', 'push', 'delete'], reason: 'manager', isPrivate: true });
    expect(
      repositoryAccess({ repository: 'acme/app', organizationObject, requester: alice }).actions,
    ).toEqual(['pull', 'push', 'delete']);
    expect(repositoryAccess({ repository: 'acme/app', organizationObject, requester: bob }).actions).toEqual(
      [],
    );
  });

  it('no one but cluster admins pushes under an organization with no Organization object', () => {
    expect(repositoryAccess({ repository: 'acme/app', requester: alice }).actions).toEqual([]);
    expect(repositoryAccess({ repository: 'acme/app', requester: admin }).actions).toEqual([
      'pull',
      'push',
      'delete',
    ]);
  });

  it('objects whose spec.name does not match the asked name grant nothing', () => {
    // A hand-made Organization whose metadata.name collides but whose spec.name differs.
    const squatted = org({ creator: 'bob', defaultPrivate: false }, 'other');
    expect(
      repositoryAccess({ repository: 'acme/app', organizationObject: squatted, requester: bob }).actions,
    ).toEqual([]);
    expect(
      repositoryAccess({ repository: 'acme/app', repositoryObject: repo(false, 'acme/other') }).actions,
    ).toEqual([]);
  });

  it('refuses names that are not org/repo', () => {
    for (const repository of ['', 'app', '/app', 'acme/']) {
      expect(repositoryAccess({ repository, requester: admin })).toMatchObject({
        actions: [],
        reason: 'invalid-name',
      });
    }
  });

  it('grants delete to managers only, and a non-manager never gets more than pull (property)', () => {
    fc.assert(
      fc.property(
        fc.option(fc.boolean(), { nil: undefined }),
        fc.option(fc.boolean(), { nil: undefined }),
        fc.boolean(),
        fc.constantFrom(alice, bob, undefined),
        (isPrivate, defaultPrivate, hasRepository, requester) => {
          const input = {
            repository: 'acme/app',
            organizationObject: org({
              creator: 'alice',
              ...(defaultPrivate === undefined ? {} : { defaultPrivate }),
            }),
            repositoryObject: hasRepository ? repo(isPrivate) : undefined,
            requester,
          };
          const access = repositoryAccess(input);
          expect(access.actions.includes('delete')).toBe(requester === alice);
          if (requester !== alice) expect(access.actions.length).toBeLessThanOrEqual(1);
          expect(canPullRepository(input)).toBe(requester === alice || !access.isPrivate);
        },
      ),
    );
  });
});

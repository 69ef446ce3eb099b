import type { Organization, Repository } from '@hub/api-types';
import type { CatalogueKind } from '@hub/reconcilers';
import { describe, expect, it } from 'vitest';
import { authorizeScopes, type RegistryAuthCache } from './authorize.ts';
import type { RegistryIdentity } from './identity.ts';
import { parseScopes } from './scope.ts';

const org = (name: string, creator: string, manager: string[] = [], defaultPrivate?: boolean): Organization =>
  ({
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Organization',
    metadata: { name },
    spec: { name, creator, manager, ...(defaultPrivate === undefined ? {} : { defaultPrivate }) },
  }) as Organization;
const repo = (name: string, isPrivate: boolean): Repository =>
  ({
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Repository',
    metadata: { name: name.replace('/', '.') },
    spec: { name, isPrivate },
  }) as Repository;

function cacheOf(objects: (Organization | Repository)[]): RegistryAuthCache {
  const byKey = new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
  return { get: (kind: CatalogueKind, name: string) => byKey.get(`${kind}/${name}`) as never };
}

const cache = cacheOf([
  org('acme', 'alice', ['group:acme-admins']),
  org('open', 'olga', [], false),
  repo('open/closed', true),
  repo('acme/public', false),
  repo('acme/secret', true),
  // metadata.name says acme.forged, spec.name another repository: must not count as acme/forged.
  { ...repo('other/x', false), metadata: { name: 'acme.forged' } } as Repository,
]);
const sa = (name: string, groups: string[] = []): RegistryIdentity => ({
  username: `system:serviceaccount:user-system:${name}`,
  groups: ['system:serviceaccounts', ...groups],
});
const decide = (identity: RegistryIdentity | undefined, ...scopes: string[]) =>
  authorizeScopes({
    scopes: parseScopes(scopes),
    identity,
    cache,
  });

describe('authorizeScopes', () => {
  it('gives managers pull and push on every repository of their organization, existing or not', () => {
    const alice = sa('alice');
    expect(decide(alice, 'repository:acme/secret:pull,push').access).toEqual([
      { type: 'repository', name: 'acme/secret', actions: ['pull', 'push'] },
    ]);
    expect(decide(alice, 'repository:acme/new:push').access).toEqual([
      { type: 'repository', name: 'acme/new', actions: ['push'] },
    ]);
    expect(decide(sa('carol', ['acme-admins']), 'repository:acme/public:push').access).toHaveLength(1);
  });

  it('gives everyone else, anonymous included, pull on public repositories only', () => {
    for (const who of [sa('bob'), undefined]) {
      expect(decide(who, 'repository:acme/public:pull,push').access).toEqual([
        { type: 'repository', name: 'acme/public', actions: ['pull'] },
      ]);
      expect(decide(who, 'repository:acme/secret:pull').access).toEqual([]);
      expect(decide(who, 'repository:acme/missing:pull').access).toEqual([]);
      expect(decide(who, 'repository:acme/forged:pull').access).toEqual([]);
    }
  });

  it("takes the Organization's defaultPrivate for a repository with no Repository object", () => {
    for (const who of [sa('bob'), undefined]) {
      // acme has no defaultPrivate: unknown repositories are private.
      expect(decide(who, 'repository:acme/unknown:pull').access).toEqual([]);
      expect(decide(who, 'repository:open/unknown:pull').access).toEqual([
        { type: 'repository', name: 'open/unknown', actions: ['pull'] },
      ]);
      // An explicit Repository still decides, even against a public default.
      expect(decide(who, 'repository:open/closed:pull').access).toEqual([]);
      expect(decide(who, 'repository:open/unknown:push').access).toEqual([]);
    }
  });

  it('grants nothing in an organization that does not exist, except to cluster admins', () => {
    expect(decide(sa('alice'), 'repository:ghost/repo:push').access).toEqual([]);
    const admin = { username: 'admin', groups: ['system:masters'] };
    expect(decide(admin, 'repository:ghost/repo:pull,push').access[0]?.actions).toEqual(['pull', 'push']);
  });

  it('keeps registry:catalog:* for system:masters', () => {
    const admin = { username: 'admin', groups: ['system:masters'] };
    expect(decide(admin, 'registry:catalog:*').access).toEqual([
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
    expect(decide(sa('alice'), 'registry:catalog:*').access).toEqual([]);
    expect(decide(undefined, 'registry:catalog:*').access).toEqual([]);
  });

  it('leaves out actions and scopes it does not know, and names that are not org/repo', () => {
    const alice = sa('alice');
    expect(decide(alice, 'repository:acme/public:*').access).toEqual([]);
    expect(
      decide(alice, 'repository:acme:pull', 'repository:acme/a/b:pull', 'repository(plugin):acme/x:pull')
        .access,
    ).toEqual([]);
    expect(decide(alice, 'repository:acme/public:pull', 'repository:other/x:delete').access).toHaveLength(1);
  });

  it('gives managers delete on their organization (the hub deletes a tag’s manifest), nobody else', () => {
    expect(decide(sa('alice'), 'repository:acme/secret:delete').access).toEqual([
      { type: 'repository', name: 'acme/secret', actions: ['delete'] },
    ]);
    for (const who of [sa('mallory'), undefined]) {
      expect(decide(who, 'repository:acme/public:pull,delete').access).toEqual([
        { type: 'repository', name: 'acme/public', actions: ['pull'] },
      ]);
    }
  });

  it('counts a download for a granted pull of an existing repository, never for a push token', () => {
    expect(decide(undefined, 'repository:acme/public:pull').downloads).toEqual(['acme.public']);
    expect(decide(sa('alice'), 'repository:acme/public:pull,push').downloads).toEqual([]);
    expect(decide(undefined, 'repository:acme/secret:pull').downloads).toEqual([]);
    expect(decide(sa('alice'), 'repository:acme/new:pull').downloads).toEqual([]);
  });
});

import {
  ANNOTATION_REQUESTER,
  type Image,
  imageLabels,
  LABEL_ORGANIZATION,
  parseImageHubName,
  repositoryLabels,
  repositoryMetadataName,
} from '@hub/api-types';
import {
  type AdmissionRequest,
  type CataloguePolicy,
  catalogueAdmission,
  cataloguePolicy,
  type KubeObject,
  mayCreateOrganization,
  mayCreateOrganizationFor,
  parseOrganizationCreation,
} from '@hub/reconcilers';
import { describe, expect, it } from 'vitest';
import { FakeCluster } from '../test-support/fake-cluster.ts';
import { admissionRequest, imageObject, organizationObject } from '../test-support/objects.ts';

const authenticated = ['system:authenticated'];
const who = {
  admin: { username: 'kubernetes-admin', groups: ['system:masters', ...authenticated] },
  controller: { username: 'system:serviceaccount:imagehub-system:hub-controller', groups: authenticated },
  alice: { username: 'alice', groups: ['org-creators', ...authenticated] },
  mallory: { username: 'mallory', groups: ['org-creators', ...authenticated] },
  bob: { username: 'bob', groups: authenticated },
  anonymous: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
} as const;
const base = cataloguePolicy({ controllerIdentity: who.controller });
const restricted = cataloguePolicy({ ...base, organizationCreation: 'group:org-creators' });

function validate(
  kind: 'Image' | 'Repository' | 'Organization',
  request: AdmissionRequest,
  cluster: FakeCluster,
  policy: CataloguePolicy,
) {
  const hook = catalogueAdmission().find((w) => w.type === 'validating' && w.kind === kind);
  if (hook === undefined) throw new Error(kind);
  return hook.review(request, { cache: cluster, policy });
}

/** A Repository as the mutating webhook leaves it: labels from spec.name, the requester recorded. */
function repositoryObject(name: string, requester?: string, metadataName?: string): KubeObject {
  const [organization = '', repository = ''] = name.split('/');
  const { labels } = repositoryLabels({ organization, repository });
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Repository',
    metadata: {
      name: metadataName ?? repositoryMetadataName({ organization, repository }),
      labels,
      ...(requester === undefined ? {} : { annotations: { [ANNOTATION_REQUESTER]: requester } }),
    },
    spec: { name },
  };
}

/** An Image as the mutating webhook leaves it. */
function labelledImage(name: string, requester: string): Image {
  const parsed = parseImageHubName(name);
  if (!parsed.success) throw new Error(name);
  const image = imageObject(name, {}, { [ANNOTATION_REQUESTER]: requester });
  return { ...image, metadata: { ...image.metadata, labels: imageLabels(parsed.data).labels } };
}

const createOrganization = (
  cluster: FakeCluster,
  user: (typeof who)[keyof typeof who],
  policy: CataloguePolicy = base,
  name = 'acme',
) =>
  validate(
    'Organization',
    admissionRequest('CREATE', 'Organization', user, organizationObject(name)),
    cluster,
    policy,
  );

describe('--organization-creation', () => {
  it('parses anyone and group:<name>, nothing else', () => {
    expect(parseOrganizationCreation('anyone')).toBe('anyone');
    expect(parseOrganizationCreation('group:org-creators')).toBe('group:org-creators');
    for (const bad of ['', 'group:', 'nobody', 'Anyone', 'user:alice'])
      expect(parseOrganizationCreation(bad), bad).toBeUndefined();
  });

  it('group:<name>: members and the privileged may create Organizations, others are told who may', () => {
    const cluster = new FakeCluster();
    for (const user of [who.admin, who.controller, who.alice])
      expect(createOrganization(cluster, user, restricted).allowed, user.username).toBe(true);
    const denied = createOrganization(cluster, who.bob, restricted);
    expect(denied).toMatchObject({ allowed: false, code: 403 });
    expect(denied.message).toBe(
      'user "bob" may not create Organizations: only members of group "org-creators" may (--organization-creation group:org-creators); ask one of them or a cluster admin to create it',
    );
    expect(createOrganization(cluster, who.bob, base).allowed).toBe(true);
    expect(createOrganization(cluster, who.anonymous, base).allowed).toBe(false);
  });

  it('a push into a missing organization by someone who may not create it is refused at admission', () => {
    const cluster = new FakeCluster();
    const image = imageObject('newco/app:v1');
    const refused = validate(
      'Image',
      admissionRequest('CREATE', 'Image', who.bob, image),
      cluster,
      restricted,
    );
    expect(refused).toMatchObject({ allowed: false, code: 403 });
    expect(refused.message).toBe(
      'organization "newco" does not exist, so Image "newco/app:v1" would create it, but user "bob" may not create Organizations: only members of group "org-creators" may (--organization-creation group:org-creators); ask one of them or a cluster admin to create it',
    );
    const repository = repositoryObject('newco/app');
    expect(
      validate(
        'Repository',
        admissionRequest('CREATE', 'Repository', who.bob, repository),
        cluster,
        restricted,
      ),
    ).toMatchObject({ allowed: false, code: 403 });
    for (const user of [who.alice, who.admin]) {
      expect(
        validate('Image', admissionRequest('CREATE', 'Image', user, image), cluster, restricted).allowed,
        user.username,
      ).toBe(true);
    }
    // Once the Organization exists, its managers decide, whoever may create Organizations.
    cluster.create(organizationObject('newco', 'alice', ['bob']));
    expect(
      validate('Image', admissionRequest('CREATE', 'Image', who.bob, image), cluster, restricted).allowed,
    ).toBe(true);
  });

  it('the controller acts for the recorded first pusher: a ServiceAccount by its groups, a user as admitted', () => {
    const sa = 'system:serviceaccount:user-system:alice';
    expect(mayCreateOrganizationFor(sa, restricted)).toMatchObject({ allowed: false });
    expect(mayCreateOrganizationFor(sa, restricted).message).toContain(
      'user "system:serviceaccount:user-system:alice"',
    );
    expect(
      mayCreateOrganizationFor(sa, {
        ...restricted,
        organizationCreation: 'group:system:serviceaccounts:user-system',
      }).allowed,
    ).toBe(true);
    expect(mayCreateOrganizationFor(sa, base).allowed).toBe(true);
    expect(mayCreateOrganizationFor('system:serviceaccount:kube-system:x', restricted).allowed).toBe(true);
    expect(mayCreateOrganizationFor(who.controller.username, restricted).allowed).toBe(true);
    expect(mayCreateOrganizationFor('alice', restricted).allowed).toBe(true);
    expect(mayCreateOrganizationFor(undefined, restricted).allowed).toBe(true);
    expect(mayCreateOrganization(who.bob, restricted, 'user "bob"').allowed).toBe(false);
  });
});

describe('Organizations cannot be squatted', () => {
  function withAlicesPushes() {
    const cluster = new FakeCluster();
    cluster.create(repositoryObject('acme/app', 'alice'));
    cluster.create(labelledImage('acme/app:v1', 'alice'));
    return cluster;
  }

  it("refuses an Organization over someone else's Repositories, naming one", () => {
    const denied = createOrganization(withAlicesPushes(), who.mallory);
    expect(denied).toMatchObject({ allowed: false, code: 403 });
    expect(denied.message).toBe(
      'user "mallory" may not create Organization "acme": the organization already has Images or Repositories that others created, such as Repository "acme/app" (pushed by "alice"); ask a cluster admin to create it',
    );
  });

  it("refuses an Organization over someone else's Images alone", () => {
    const cluster = new FakeCluster();
    cluster.create(labelledImage('acme/app:v1', 'alice'));
    expect(createOrganization(cluster, who.mallory).message).toContain(
      'Image "acme/app:v1" (pushed by "alice")',
    );
  });

  it('lets the one who pushed everything there create it, and admins and the controller always', () => {
    const cluster = withAlicesPushes();
    for (const user of [who.alice, who.admin, who.controller])
      expect(createOrganization(cluster, user).allowed, user.username).toBe(true);
    expect(createOrganization(cluster, who.mallory).allowed).toBe(false);
    // Another organization's pushes do not matter.
    expect(createOrganization(cluster, who.mallory, base, 'mallory-org').allowed).toBe(true);
  });

  it('objects with no recorded requester count as somebody else’s', () => {
    const cluster = new FakeCluster();
    cluster.create(repositoryObject('acme/app'));
    expect(createOrganization(cluster, who.alice).message).toContain(
      'Repository "acme/app" (with no recorded requester)',
    );
  });

  it('counts only objects whose spec.name is in the organization, not a label that says so', () => {
    const cluster = new FakeCluster();
    // Labelled acme by hand but another organization's; and one whose metadata.name is not the
    // derived one (never listed in acme): neither is acme's.
    const elsewhere = repositoryObject('other/app', 'bob');
    cluster.create({
      ...elsewhere,
      metadata: { ...elsewhere.metadata, labels: { [LABEL_ORGANIZATION]: 'acme' } },
    });
    cluster.create(repositoryObject('acme/app', 'bob', 'not-derived'));
    cluster.create(repositoryObject('acme/db', 'carol'));
    expect(createOrganization(cluster, who.alice).message).toContain(
      'Repository "acme/db" (pushed by "carol")',
    );
  });
});

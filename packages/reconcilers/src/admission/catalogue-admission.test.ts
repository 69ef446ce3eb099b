import {
  ANNOTATION_REQUESTER,
  type Image,
  LABEL_ORGANIZATION,
  LABEL_REPOSITORY,
  LABEL_TAG,
} from '@hub/api-types';
import {
  type AdmissionDecision,
  type AdmissionDefinition,
  type AdmissionRequest,
  type CataloguePolicy,
  catalogueAdmission,
  cataloguePolicy,
  type KubeObject,
} from '@hub/reconcilers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeCluster } from '../test-support/fake-cluster.ts';
import { applyJsonPatch } from '../test-support/json-patch-apply.ts';
import { admissionRequest, imageObject, organizationObject } from '../test-support/objects.ts';

const webhooks = catalogueAdmission().filter((w) => w.kind !== 'DataPack');
const webhook = (name: string): AdmissionDefinition => {
  const found = webhooks.find((w) => w.name === name);
  if (found === undefined) throw new Error(`no webhook ${name}`);
  return found;
};

const alice = {
  username: 'system:serviceaccount:user-system:alice',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:user-system', 'system:authenticated'],
};
const bob = { username: 'bob', groups: ['system:authenticated'] };

function run(
  name: string,
  request: AdmissionRequest,
  cluster = new FakeCluster(),
  policy: CataloguePolicy = cataloguePolicy(),
) {
  return webhook(name).review(request, { cache: cluster, policy });
}

function mutated<T extends KubeObject>(object: T, decision: AdmissionDecision): T {
  expect(decision.allowed).toBe(true);
  return applyJsonPatch(object, decision.patch ?? []);
}

describe('Image mutation', () => {
  it('sets the labels from spec.name and records the requester (JSON pointer escapes "/" as ~1)', () => {
    const image = imageObject('labring/mysql:v8.0.31');
    const decision = run('image-mutation', admissionRequest('CREATE', 'Image', alice, image));
    expect(decision.patch).toContainEqual({
      op: 'add',
      path: '/metadata/annotations',
      value: { [ANNOTATION_REQUESTER]: alice.username },
    });
    const result = mutated(image, decision);
    expect(result.metadata.labels).toEqual({
      [LABEL_ORGANIZATION]: 'labring',
      [LABEL_REPOSITORY]: 'mysql',
      [LABEL_TAG]: 'v8.0.31',
    });

    const labelled = {
      ...image,
      metadata: { ...image.metadata, labels: { keep: 'me', [LABEL_TAG]: 'wrong' }, annotations: {} },
    };
    const second = run('image-mutation', admissionRequest('CREATE', 'Image', alice, labelled));
    expect(second.patch).toContainEqual({
      op: 'add',
      path: '/metadata/annotations/imagehub.sealos.io~1requester',
      value: alice.username,
    });
    expect(mutated(labelled, second).metadata.labels).toEqual({
      keep: 'me',
      [LABEL_ORGANIZATION]: 'labring',
      [LABEL_REPOSITORY]: 'mysql',
      [LABEL_TAG]: 'v8.0.31',
    });
  });

  it('a re-push that omits docs, icon, description or keywords keeps the stored ones', () => {
    const stored = imageObject('labring/mysql:v1', {
      docs: '# MySQL',
      icon: 'https://i/icon.png',
      description: 'db',
      keywords: ['Database'],
      size: 1,
    });
    const repush = imageObject('labring/mysql:v1', { size: 2, description: 'new text', docs: '' });
    const result = mutated(
      repush,
      run('image-mutation', admissionRequest('UPDATE', 'Image', alice, repush, stored)),
    );
    expect(result.spec.detail).toMatchObject({
      docs: '# MySQL',
      icon: 'https://i/icon.png',
      description: 'new text',
      keywords: ['Database'],
      size: 2,
    });
  });

  it('on create, fills from the cached Image (a re-create) and builds a missing detail', () => {
    const cluster = new FakeCluster();
    cluster.create(imageObject('labring/mysql:v1', { docs: 'README', keywords: ['GPU'] }));
    const bare: Image = {
      ...imageObject('labring/mysql:v1'),
      spec: { name: 'labring/mysql:v1' } as Image['spec'],
    };
    const result = mutated(
      bare,
      run('image-mutation', admissionRequest('CREATE', 'Image', alice, bare), cluster),
    );
    expect(result.spec.detail).toEqual({ docs: 'README', keywords: ['GPU'] });
  });

  it('keeps the first requester on update, whoever updates and whatever they send', () => {
    const stored = imageObject('labring/mysql:v1', {}, { [ANNOTATION_REQUESTER]: 'alice' });
    const forged = imageObject('labring/mysql:v1', {}, { [ANNOTATION_REQUESTER]: 'bob' });
    const result = mutated(
      forged,
      run('image-mutation', admissionRequest('UPDATE', 'Image', bob, forged, stored)),
    );
    expect(result.metadata.annotations?.[ANNOTATION_REQUESTER]).toBe('alice');
    const created = mutated(forged, run('image-mutation', admissionRequest('CREATE', 'Image', bob, forged)));
    expect(created.metadata.annotations?.[ANNOTATION_REQUESTER]).toBe('bob');
  });

  it('leaves invalid names to the validating webhook', () => {
    const image = { ...imageObject('a/b:c'), spec: { name: 'labring', detail: {} } } as unknown as Image;
    expect(run('image-mutation', admissionRequest('CREATE', 'Image', alice, image))).toEqual({
      allowed: true,
    });
  });
});

describe('Repository and Organization mutation', () => {
  const controller = {
    username: 'system:serviceaccount:imagehub-system:hub-controller',
    groups: ['system:serviceaccounts:imagehub-system', 'system:authenticated'],
  };
  // Another account of the controller's namespace (a job, a debug pod) is not the controller.
  const neighbour = { ...controller, username: 'system:serviceaccount:imagehub-system:debug' };
  const asController = cataloguePolicy({ controllerIdentity: controller });

  it('Repository: org and repo labels, keyword labels untouched; the controller records the first pusher', () => {
    const repository: KubeObject = {
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Repository',
      metadata: {
        name: 'labring.mysql',
        labels: { 'keyword.imagehub.sealos.io/Database': '' },
        annotations: { [ANNOTATION_REQUESTER]: 'alice' },
      },
      spec: { name: 'labring/mysql' },
    };
    const result = mutated(
      repository,
      run(
        'repository-mutation',
        admissionRequest('CREATE', 'Repository', controller, repository),
        undefined,
        asController,
      ),
    );
    expect(result.metadata.labels).toEqual({
      'keyword.imagehub.sealos.io/Database': '',
      [LABEL_ORGANIZATION]: 'labring',
      [LABEL_REPOSITORY]: 'mysql',
    });
    expect(result.metadata.annotations?.[ANNOTATION_REQUESTER]).toBe('alice');
    const byBob = mutated(
      repository,
      run('repository-mutation', admissionRequest('CREATE', 'Repository', bob, repository)),
    );
    expect(byBob.metadata.annotations?.[ANNOTATION_REQUESTER]).toBe('bob');
    const byNeighbour = mutated(
      repository,
      run(
        'repository-mutation',
        admissionRequest('CREATE', 'Repository', neighbour, repository),
        undefined,
        asController,
      ),
    );
    expect(byNeighbour.metadata.annotations?.[ANNOTATION_REQUESTER]).toBe(neighbour.username);
  });

  it('Organization create: the requester becomes creator and a manager (SA prefix of the user namespace dropped)', () => {
    const organization = organizationObject('acme', 'someone-else', ['bob', 'bob']);
    const result = mutated(
      organization,
      run('organization-mutation', admissionRequest('CREATE', 'Organization', alice, organization)),
    );
    expect(result.spec).toEqual({ name: 'acme', creator: 'alice', manager: ['bob', 'alice'] });
    const bare = organizationObject('acme');
    expect(
      mutated(bare, run('organization-mutation', admissionRequest('CREATE', 'Organization', bob, bare))).spec,
    ).toEqual({
      name: 'acme',
      creator: 'bob',
      manager: ['bob'],
    });
  });

  it('Organization created by the controller keeps the first pusher as creator; update keeps a dropped creator', () => {
    const organization = organizationObject('acme', 'alice', ['alice']);
    expect(
      run(
        'organization-mutation',
        admissionRequest('CREATE', 'Organization', controller, organization),
        undefined,
        asController,
      ),
    ).toEqual({ allowed: true });
    const byNeighbour = mutated(
      organization,
      run(
        'organization-mutation',
        admissionRequest('CREATE', 'Organization', neighbour, organization),
        undefined,
        asController,
      ),
    );
    expect(byNeighbour.spec.creator).toBe(neighbour.username);
    const edited = organizationObject('acme', undefined, ['alice', 'carol', 'carol']);
    const result = mutated(
      edited,
      run('organization-mutation', admissionRequest('UPDATE', 'Organization', alice, edited, organization)),
    );
    expect(result.spec).toEqual({ name: 'acme', creator: 'alice', manager: ['alice', 'carol'] });
  });
});

describe('validation: names', () => {
  it.each([
    ['labring', 'invalid-format'],
    ['a/:b', 'empty repository'],
    ['/x:y', 'empty organization'],
    ['Labring/mysql:v1', 'upper-case'],
    [`labring/${'x'.repeat(300)}:v1`, 'too long'],
  ])('denies the original crash name %j cleanly', (name, why) => {
    const image = {
      ...imageObject('a/b:c'),
      metadata: { name: 'x' },
      spec: { name, detail: {} },
    } as unknown as Image;
    for (const operation of ['CREATE', 'UPDATE'] as const) {
      const decision = run('image-validation', admissionRequest(operation, 'Image', alice, image, image));
      expect(decision).toMatchObject({ allowed: false, code: 422 });
      expect(decision.message).toContain('spec.name');
      if (why !== 'invalid-format') expect(decision.message).toContain(why);
    }
    const repository = {
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Repository',
      metadata: { name: 'x' },
      spec: { name },
    };
    expect(
      run('repository-validation', admissionRequest('CREATE', 'Repository', alice, repository)),
    ).toMatchObject({ allowed: false, code: 422 });
  });

  it('metadata.name must be the derived one', () => {
    const image = { ...imageObject('labring/mysql:v1'), metadata: { name: 'mysql-v1' } };
    const decision = run(
      'image-validation',
      admissionRequest('CREATE', 'Image', { username: 'admin', groups: ['system:masters'] }, image),
    );
    expect(decision).toMatchObject({ allowed: false, code: 422 });
    expect(decision.message).toContain('"labring.mysql.v1"');
    const organization = { ...organizationObject('acme'), metadata: { name: 'other' } };
    expect(
      run('organization-validation', admissionRequest('CREATE', 'Organization', bob, organization)).message,
    ).toContain('"acme"');
  });

  it("refuses the seed sample's dotted metaName and names the derived one", () => {
    // Seed 000's DataPack lists labring/cert-manager:v1.7.0 as labring.cert.manager.v1.7.0.
    const image = {
      ...imageObject('labring/cert-manager:v1.7.0'),
      metadata: { name: 'labring.cert.manager.v1.7.0' },
    };
    const decision = run(
      'image-validation',
      admissionRequest('CREATE', 'Image', { username: 'admin', groups: ['system:masters'] }, image),
    );
    expect(decision).toMatchObject({ allowed: false, code: 422 });
    expect(decision.message).toContain('metadata.name must be "labring.cert-manager.v1.7.0"');
    expect(decision.message).toContain("writes the name's dashes as dots");
  });

  it('spec.name is immutable', () => {
    const before = imageObject('labring/mysql:v1');
    const after = { ...imageObject('labring/mysql:v2'), metadata: before.metadata };
    const decision = run(
      'image-validation',
      admissionRequest('UPDATE', 'Image', { username: 'admin', groups: ['system:masters'] }, after, before),
    );
    expect(decision).toMatchObject({ allowed: false, code: 422 });
    expect(decision.message).toContain('immutable');
  });
});

describe('review never throws, for any input', () => {
  const operation = fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT', 'PATCH', 7);
  const name = fc.oneof(
    fc.string(),
    fc.constantFrom('labring/mysql:v1', 'labring/mysql', 'labring', 'a/:b', '/x:y', 'Labring/x:y'),
  );
  const object = fc.oneof(
    fc.anything(),
    fc.record(
      {
        apiVersion: fc.string(),
        kind: fc.constantFrom('Image', 'Repository', 'Organization', 'DataPack'),
        metadata: fc.oneof(
          fc.anything(),
          fc.record(
            {
              name: fc.oneof(fc.string(), fc.constant('labring.mysql.v1')),
              labels: fc.anything(),
              annotations: fc.anything(),
            },
            { requiredKeys: [] },
          ),
        ),
        spec: fc.oneof(
          fc.anything(),
          fc.record(
            { name, creator: fc.anything(), manager: fc.anything(), detail: fc.anything() },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    ),
  );
  const request = fc.oneof(
    fc.anything(),
    fc.record(
      {
        uid: fc.string(),
        kind: fc.oneof(
          fc.anything(),
          fc.record({
            group: fc.string(),
            version: fc.string(),
            kind: fc.constantFrom('Image', 'Repository', 'Organization', 'DataPack', 'Pod'),
          }),
        ),
        operation,
        userInfo: fc.oneof(
          fc.anything(),
          fc.record(
            {
              username: fc.oneof(fc.string(), fc.constant('alice')),
              groups: fc.oneof(fc.anything(), fc.array(fc.oneof(fc.string(), fc.constant('system:masters')))),
            },
            { requiredKeys: [] },
          ),
        ),
        object,
        oldObject: object,
      },
      { requiredKeys: [] },
    ),
  );
  const cluster = new FakeCluster();
  cluster.create(organizationObject('labring', 'alice'));
  cluster.create(imageObject('labring/mysql:v1', { docs: 'x', keywords: ['GPU'] }));

  it('answers every webhook (DataPack included) with a well-formed decision whose patch applies', () => {
    fc.assert(
      fc.property(
        request,
        fc.constantFrom(...catalogueAdmission()),
        fc.constantFrom('create', 'wait'),
        (input, definition, missing) => {
          const decision = definition.review(input as AdmissionRequest, {
            cache: cluster,
            policy: cataloguePolicy({ missingOrganization: missing as 'create' | 'wait' }),
          });
          expect(typeof decision.allowed).toBe('boolean');
          if (!decision.allowed) {
            expect(typeof decision.message).toBe('string');
            expect(decision.code).not.toBe(500);
          }
          if (decision.patch !== undefined) {
            const target = (input as { object?: unknown } | null)?.object;
            applyJsonPatch(target, decision.patch); // throws if any operation would not apply
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

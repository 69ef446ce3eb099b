import {
  ANNOTATION_REQUESTER,
  classifyKeywords,
  type Image,
  KEYWORD_LABEL_PREFIX,
  keywordLabelKey,
  type Organization,
  parseImageHubName,
  type Repository,
  repositoryMetadataName,
} from '@hub/api-types';
import { cataloguePolicy, catalogueReconcilers, compareTagNamesNaturally } from '@hub/reconcilers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeCluster, FakeRuntime } from './test-support/fake-cluster.ts';
import { imageObject, organizationObject } from './test-support/objects.ts';

// Random histories of user actions, reconciled after random steps: whatever happened, the
// catalogue converges to what the Images say, and a further reconcile of everything writes nothing.
const org = fc.constantFrom('acme', 'labring');
const repo = fc.constantFrom('app', 'db');
const tag = fc.constantFrom('v1', 'v2', 'v9', 'v10', 'latest');
const time = fc.constantFrom('1970-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
const keywords = fc.subarray(['database', 'Storage', 'gpu', 'mysql']);
const action = fc.oneof(
  fc.record({
    type: fc.constant('push' as const),
    org,
    repo,
    tag,
    time,
    keywords,
    user: fc.constantFrom('alice', 'bob'),
  }),
  fc.record({ type: fc.constant('deleteImage' as const), org, repo, tag }),
  fc.record({ type: fc.constant('markDeleting' as const), org, repo, tag }),
  fc.record({ type: fc.constant('createOrg' as const), org, user: fc.constantFrom('carol', 'dave') }),
  fc.record({ type: fc.constant('deleteOrg' as const), org }),
  fc.record({ type: fc.constant('settle' as const) }),
);

function liveImages(cluster: FakeCluster, specRepo: string): Image[] {
  return (cluster.all('Image') as Image[]).filter(
    (image) => !image.metadata.deletionTimestamp && image.spec.name.startsWith(`${specRepo}:`),
  );
}

describe('convergence from any history', () => {
  it('matches the Images and is idempotent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { maxLength: 25 }),
        fc.constantFrom('create', 'wait'),
        fc.boolean(),
        async (actions, missingOrganization, deleteEmptyRepositories) => {
          const cluster = new FakeCluster();
          const runtime = new FakeRuntime(
            cluster,
            catalogueReconcilers(cataloguePolicy({ missingOrganization, deleteEmptyRepositories })),
          );
          for (const step of actions) {
            if (step.type === 'settle') await runtime.settle();
            else if (step.type === 'push') {
              const image = imageObject(
                `${step.org}/${step.repo}:${step.tag}`,
                { creatTime: step.time, keywords: step.keywords },
                {
                  [ANNOTATION_REQUESTER]: step.user,
                },
              );
              const name = image.metadata.name ?? '';
              if (cluster.get('Image', name) === undefined) cluster.create(image);
              else cluster.update('Image', name, (draft) => Object.assign(draft, { spec: image.spec }));
            } else if (step.type === 'deleteImage' || step.type === 'markDeleting') {
              const name = imageObject(`${step.org}/${step.repo}:${step.tag}`).metadata.name ?? '';
              if (step.type === 'deleteImage') cluster.remove('Image', name);
              else if (cluster.get('Image', name) !== undefined)
                cluster.update('Image', name, (draft) => {
                  draft.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
                });
            } else if (step.type === 'createOrg') {
              if (cluster.get('Organization', step.org) === undefined)
                cluster.create(organizationObject(step.org, step.user));
            } else cluster.remove('Organization', step.org);
          }
          await runtime.settle();

          expect(await runtime.reconcileEverything()).toEqual([]);
          for (const image of (cluster.all('Image') as Image[]).filter(
            (i) => !i.metadata.deletionTimestamp,
          )) {
            const parsed = parseImageHubName(image.spec.name);
            if (!parsed.success) throw parsed.error;
            const repository = cluster.get('Repository', repositoryMetadataName(parsed.data)) as
              | Repository
              | undefined;
            expect(repository, image.spec.name).toBeDefined();
            expect(image.metadata.ownerReferences).toEqual([
              expect.objectContaining({ uid: repository?.metadata.uid }),
            ]);
          }
          for (const repository of cluster.all('Repository') as Repository[]) {
            const images = liveImages(cluster, repository.spec.name).sort((a, b) => {
              const byTime = Date.parse(b.spec.detail.creatTime) - Date.parse(a.spec.detail.creatTime);
              return byTime !== 0 ? byTime : compareTagNamesNaturally(b.spec.name, a.spec.name);
            });
            expect(repository.status?.tags?.map((t) => t.metaName)).toEqual(
              images.map((i) => i.metadata.name),
            );
            expect(repository.status?.latestTag?.metaName).toBe(images[0]?.metadata.name);
            const wanted = classifyKeywords(images[0]?.spec.detail.keywords ?? [])
              .known.map(keywordLabelKey)
              .sort();
            const actual = Object.keys(repository.metadata.labels ?? {}).filter((k) =>
              k.startsWith(KEYWORD_LABEL_PREFIX),
            );
            expect(actual.sort()).toEqual(wanted);
            const organization = cluster.get('Organization', repository.spec.name.split('/')[0] ?? '');
            if (missingOrganization === 'create') expect(organization).toBeDefined();
            if (organization === undefined)
              expect(repository.status?.conditions?.[0]?.reason).toBe('OrganizationMissing');
          }
          for (const organization of cluster.all('Organization') as Organization[]) {
            const repos = (cluster.all('Repository') as Repository[])
              .map((r) => r.spec.name)
              .filter((name) => name.startsWith(`${organization.spec.name}/`))
              .sort();
            expect(organization.status?.repos).toEqual(repos);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

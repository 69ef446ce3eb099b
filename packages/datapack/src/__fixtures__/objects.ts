// Test-only builders of catalogue objects, shaped as the apiserver returns them (defaults applied).
import {
  type Image,
  imageLabels,
  imageMetadataName,
  mustParseImageHubName,
  type Organization,
  organizationMetadataName,
  type Repository,
  repositoryLabels,
  repositoryMetadataName,
  type TagData,
} from '@hub/api-types';
import { type CatalogueStore, compareTagsNewestFirst, createCatalogueStore } from '../index.ts';

export function image(
  name: string,
  detail: Partial<Image['spec']['detail']> = {},
  type = 'cluster-image',
): Image {
  const parsed = mustParseImageHubName(name);
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Image',
    metadata: { name: imageMetadataName(parsed), labels: imageLabels(parsed).labels },
    spec: { name, type, detail: { creatTime: '1970-01-01T00:00:00Z', ...detail } },
  };
}

export function repository(
  name: string,
  tags: TagData[] = [],
  options: { isPrivate?: boolean; keywords?: string[]; downloadCount?: number } = {},
): Repository {
  const [organization = '', repo = ''] = name.split('/');
  const labels = repositoryLabels({ organization, repository: repo }).labels;
  for (const k of options.keywords ?? []) labels[`keyword.imagehub.sealos.io/${k}`] = '';
  const latestTag = [...tags].sort(compareTagsNewestFirst)[0] ?? null;
  const status: NonNullable<Repository['status']> = { tags, latestTag, tagCount: tags.length };
  if (options.downloadCount !== undefined) status.downloadCount = options.downloadCount;
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Repository',
    metadata: { name: repositoryMetadataName(name), labels, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { name, isPrivate: options.isPrivate ?? false },
    status,
  };
}

export function organization(
  name: string,
  managers: string[] = [],
  creator = 'admin',
  options: { defaultPrivate?: boolean } = {},
): Organization {
  return {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Organization',
    metadata: { name: organizationMetadataName(name) },
    spec: { name, creator, manager: managers, ...options },
  };
}

export function tag(name: string, creatTime: string, size = 1000, metaName?: string): TagData {
  return { name, creatTime, size, metaName: metaName ?? name };
}

/**
 * A small catalogue: labring/mysql (3 tags, Database), labring/redis (Database, MQ keyword free text),
 * acme/cache (Storage, private), acme/empty (no images), library/nginx (Network).
 */
export function sampleCatalogue(): CatalogueStore {
  const store = createCatalogueStore();
  const mysqlTags = [
    tag('v8.0.31', '2024-03-01T00:00:00Z', 500_000_000, 'labring.mysql.v8.0.31'),
    tag('v8.0.25', '2023-06-01T00:00:00Z', 480_000_000, 'labring.mysql.v8.0.25'),
    tag('v5.7', '2022-01-01T00:00:00Z', 400_000_000, 'labring.mysql.v5.7'),
  ];
  store.upsert(organization('labring', ['alice', 'bob'], 'alice'));
  store.upsert(organization('acme', ['carol']));
  store.upsert(organization('library'));
  // Stored oldest first on purpose: the result must still be newest first.
  store.upsert(
    repository('labring/mysql', [...mysqlTags].reverse(), { keywords: ['Database'], downloadCount: 42 }),
  );
  for (const t of mysqlTags) {
    store.upsert(
      image(`labring/mysql:${t.name}`, {
        creatTime: t.creatTime ?? '1970-01-01T00:00:00Z',
        size: t.size ?? 0,
        description: `MySQL ${t.name}`,
        icon: 'https://example.invalid/mysql.svg',
        keywords: ['Database'],
        docs: `# MySQL ${t.name}\n\nThe database.`,
        ID: `sha256:${t.name}`,
        arch: 'amd64',
        url: 'https://cloud.example.invalid/mysql',
      }),
    );
  }
  store.upsert(
    repository('labring/redis', [tag('7.2', '2024-02-01T00:00:00Z', 100, 'labring.redis.7.2')], {
      keywords: ['Database'],
    }),
  );
  store.upsert(
    image('labring/redis:7.2', {
      creatTime: '2024-02-01T00:00:00Z',
      size: 100,
      description: 'In-memory data store',
      keywords: ['Database', 'cache'],
    }),
  );
  store.upsert(
    repository('acme/cache', [tag('v1', '2024-04-01T00:00:00Z', 10, 'acme.cache.v1')], {
      isPrivate: true,
      keywords: ['Storage'],
    }),
  );
  store.upsert(
    image('acme/cache:v1', { creatTime: '2024-04-01T00:00:00Z', size: 10, keywords: ['Storage'] }),
  );
  store.upsert(repository('acme/empty'));
  store.upsert(
    repository('library/nginx', [tag('1.27', '2023-01-01T00:00:00Z', 5, 'library.nginx.1.27')], {
      keywords: ['Network'],
    }),
  );
  store.upsert(
    image('library/nginx:1.27', { creatTime: '2023-01-01T00:00:00Z', size: 5, keywords: ['Network'] }),
  );
  return store;
}

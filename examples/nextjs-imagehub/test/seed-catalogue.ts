// The catalogue the browser test seeds: realistic repositories in three organizations, written to
// a real apiserver as hub-controller would leave them (Images, Repositories with tags, Organizations).
import { collectionPath, KUBE_RESOURCES, type KubeTransport, objectPath } from '@hub/datapack';

interface SampleRepo {
  org: string;
  repo: string;
  description: string;
  keywords: string[];
  tags: { tag: string; created: string; size: number }[];
  isPrivate?: boolean;
  docs?: string;
}

const ICON =
  'data:image/svg+xml;base64,' +
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="10" fill="#00758f"/><text x="24" y="31" font-size="20" text-anchor="middle" fill="#fff" font-family="sans-serif">My</text></svg>',
  ).toString('base64');

export const MYSQL_README = `# MySQL

The world's most popular open source database, packaged for sealos.

## Quick start

\`\`\`sh
sealos run labring/mysql:v8.0.31
\`\`\`

| Setting | Default |
| ------- | ------- |
| port    | 3306    |
| storage | 10Gi    |

- [x] replication
- [ ] group replication

<script>window.__pwned = true</script>
<a href="javascript:alert(1)">click me</a>
`;

/** What hub-index records for labring/mysql:v8.0.31: a two-platform index. */
export const MYSQL_DIGEST = `sha256:${'ab'.repeat(32)}`;

export const SAMPLE: SampleRepo[] = [
  {
    org: 'labring',
    repo: 'mysql',
    description: 'MySQL relational database',
    keywords: ['Database'],
    docs: MYSQL_README,
    tags: [
      { tag: 'v8.0.31', created: '2024-03-01T10:00:00Z', size: 512_300_000 },
      { tag: 'v8.0.25', created: '2023-06-01T10:00:00Z', size: 498_000_000 },
      { tag: 'v5.7', created: '2022-01-01T10:00:00Z', size: 410_000_000 },
    ],
  },
  {
    org: 'labring',
    repo: 'redis',
    description: 'In-memory key-value store',
    keywords: ['Database'],
    tags: [{ tag: '7.2.4', created: '2024-02-10T08:00:00Z', size: 45_000_000 }],
  },
  {
    org: 'labring',
    repo: 'cert-manager',
    description: 'X.509 certificate management for Kubernetes',
    keywords: ['Kubernetes'],
    tags: [
      { tag: 'v1.14.4', created: '2024-04-01T00:00:00Z', size: 80_000_000 },
      { tag: 'v1.8.0', created: '2022-12-27T07:33:08Z', size: 70_000_000 },
    ],
  },
  {
    org: 'bitnami',
    repo: 'postgresql',
    description: 'PostgreSQL object-relational database',
    keywords: ['Database'],
    tags: [{ tag: '16.2.0', created: '2024-02-20T00:00:00Z', size: 270_000_000 }],
  },
  {
    org: 'bitnami',
    repo: 'prometheus',
    description: 'Monitoring system and time series database',
    keywords: ['Monitoring'],
    tags: [{ tag: '2.51.0', created: '2024-03-20T00:00:00Z', size: 95_000_000 }],
  },
  {
    org: 'bitnami',
    repo: 'nginx',
    description: 'High-performance HTTP server and reverse proxy',
    keywords: ['Network'],
    tags: [{ tag: '1.25.4', created: '2024-01-15T00:00:00Z', size: 60_000_000 }],
  },
  {
    org: 'acme',
    repo: 'internal-tools',
    description: 'Private tooling',
    keywords: ['Platform'],
    isPrivate: true,
    tags: [{ tag: '0.1.0', created: '2024-05-01T00:00:00Z', size: 1_000_000 }],
  },
];

const API_VERSION = 'imagehub.sealos.io/v1';

async function create(
  transport: KubeTransport,
  kind: 'Image' | 'Repository' | 'Organization',
  body: object,
  status?: object,
) {
  const resource = KUBE_RESOURCES[kind];
  const created = await transport.request<{ metadata: { name: string } }>(collectionPath(resource), {
    verb: 'create',
    method: 'POST',
    body,
  });
  if (status !== undefined) {
    await transport.request(objectPath(resource, created.metadata.name, undefined, 'status'), {
      verb: 'patch',
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { status },
    });
  }
}

/** Writes {@link SAMPLE} into the cluster. */
export async function seedCatalogue(transport: KubeTransport): Promise<void> {
  const orgs = new Map<string, string[]>([
    ['labring', ['alice', 'bob']],
    ['bitnami', ['carol']],
    ['acme', ['dave']],
  ]);
  for (const [org, managers] of orgs) {
    await create(transport, 'Organization', {
      apiVersion: API_VERSION,
      kind: 'Organization',
      metadata: { name: org },
      spec: { name: org, creator: managers[0], manager: managers },
    });
  }
  for (const sample of SAMPLE) {
    const tags = sample.tags.map((t) => ({
      name: t.tag,
      metaName: `${sample.org}.${sample.repo}.${t.tag}`,
      size: t.size,
      creatTime: t.created,
    }));
    const labels: Record<string, string> = {
      'organization.imagehub.sealos.io': sample.org,
      'repository.imagehub.sealos.io': sample.repo,
    };
    for (const k of sample.keywords) labels[`keyword.imagehub.sealos.io/${k}`] = '';
    await create(
      transport,
      'Repository',
      {
        apiVersion: API_VERSION,
        kind: 'Repository',
        metadata: { name: `${sample.org}.${sample.repo}`, labels },
        spec: { name: `${sample.org}/${sample.repo}`, isPrivate: sample.isPrivate ?? false },
      },
      { tags, latestTag: tags[0], tagCount: tags.length },
    );
    for (const t of sample.tags) {
      await create(transport, 'Image', {
        apiVersion: API_VERSION,
        kind: 'Image',
        metadata: {
          name: `${sample.org}.${sample.repo}.${t.tag}`,
          labels: { ...labels, 'tag.imagehub.sealos.io': t.tag },
        },
        spec: {
          name: `${sample.org}/${sample.repo}:${t.tag}`,
          type: 'cluster-image',
          detail: {
            description: sample.description,
            keywords: sample.keywords,
            size: t.size,
            creatTime: t.created,
            arch: 'amd64',
            ...(sample.repo === 'mysql' && t.tag === 'v8.0.31'
              ? { digest: MYSQL_DIGEST, platforms: ['linux/amd64', 'linux/arm64'] }
              : {}),
            ...(sample.repo === 'mysql'
              ? { icon: ICON }
              : { icon: `https://example.invalid/${sample.repo}.svg` }),
            ...(sample.docs === undefined ? {} : { docs: sample.docs }),
          },
        },
      });
    }
  }
}

// The sample images `npm run demo` pushes: realistic repositories of several organizations, each tag
// with a README.md at the root and the labels hub-index reads (description, icon, keywords).

export interface SampleImage {
  repository: string;
  description: string;
  keywords: string[];
  /** An inline SVG data: URI, so the page loads nothing from the internet. */
  icon: string;
  tags: { tag: string; created: string }[];
  readme(tag: string): string;
}

function icon(text: string, color: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="10" fill="${color}"/><text x="24" y="31" font-size="18" font-weight="700" text-anchor="middle" fill="#fff" font-family="sans-serif">${text}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

function readme(title: string, summary: string, run: string, settings: [string, string][]) {
  return (tag: string) => `# ${title}

${summary}

## Quick start

\`\`\`sh
${run.replaceAll('{tag}', tag)}
\`\`\`

## Settings

| Setting | Default |
| ------- | ------- |
${settings.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}

This is tag \`${tag}\`, served from the demo's local registry.
`;
}

export const SAMPLE_IMAGES: SampleImage[] = [
  {
    repository: 'labring/mysql',
    description: 'MySQL, the open source relational database',
    keywords: ['Database'],
    icon: icon('My', '#00758f'),
    tags: [
      { tag: 'v8.0.31', created: '2024-03-01T10:00:00Z' },
      { tag: 'v8.0.25', created: '2023-06-01T10:00:00Z' },
      { tag: 'v5.7.44', created: '2022-01-15T10:00:00Z' },
    ],
    readme: readme('MySQL', 'A MySQL server with persistent storage.', 'sealos run labring/mysql:{tag}', [
      ['port', '3306'],
      ['storage', '10Gi'],
    ]),
  },
  {
    repository: 'labring/redis',
    description: 'Redis, the in-memory data store',
    keywords: ['Database', 'MQ'],
    icon: icon('Re', '#d82c20'),
    tags: [
      { tag: '7.2.4', created: '2024-02-10T08:00:00Z' },
      { tag: '7.0.15', created: '2023-12-01T08:00:00Z' },
    ],
    readme: readme('Redis', 'Redis with AOF persistence.', 'sealos run labring/redis:{tag}', [
      ['port', '6379'],
    ]),
  },
  {
    repository: 'labring/cert-manager',
    description: 'X.509 certificate management for Kubernetes',
    keywords: ['Kubernetes'],
    icon: icon('CM', '#326ce5'),
    tags: [
      { tag: 'v1.14.4', created: '2024-04-01T00:00:00Z' },
      { tag: 'v1.13.3', created: '2023-12-20T00:00:00Z' },
    ],
    readme: readme(
      'cert-manager',
      'Issues and renews certificates from ACME, Vault and CAs.',
      'sealos run labring/cert-manager:{tag}',
      [['namespace', 'cert-manager']],
    ),
  },
  {
    repository: 'bitnami/postgresql',
    description: 'PostgreSQL object-relational database',
    keywords: ['Database'],
    icon: icon('Pg', '#336791'),
    tags: [{ tag: '16.2.0', created: '2024-02-20T00:00:00Z' }],
    readme: readme('PostgreSQL', 'PostgreSQL packaged by Bitnami.', 'sealos run bitnami/postgresql:{tag}', [
      ['port', '5432'],
    ]),
  },
  {
    repository: 'bitnami/prometheus',
    description: 'Monitoring system and time series database',
    keywords: ['Monitoring'],
    icon: icon('Pr', '#e6522c'),
    tags: [
      { tag: '2.51.0', created: '2024-03-20T00:00:00Z' },
      { tag: '2.50.1', created: '2024-02-28T00:00:00Z' },
    ],
    readme: readme(
      'Prometheus',
      'Scrapes metrics and evaluates alert rules.',
      'sealos run bitnami/prometheus:{tag}',
      [['port', '9090']],
    ),
  },
  {
    repository: 'grafana/grafana',
    description: 'Dashboards for metrics, logs and traces',
    keywords: ['Dashboard', 'Monitoring'],
    icon: icon('Gf', '#f46800'),
    tags: [{ tag: '10.4.1', created: '2024-03-25T00:00:00Z' }],
    readme: readme('Grafana', 'Grafana with a Prometheus data source.', 'sealos run grafana/grafana:{tag}', [
      ['port', '3000'],
    ]),
  },
  {
    repository: 'apache/kafka',
    description: 'Distributed event streaming platform',
    keywords: ['MQ'],
    icon: icon('Ka', '#231f20'),
    tags: [{ tag: '3.7.0', created: '2024-02-27T00:00:00Z' }],
    readme: readme('Apache Kafka', 'Kafka in KRaft mode, no ZooKeeper.', 'sealos run apache/kafka:{tag}', [
      ['port', '9092'],
    ]),
  },
];

import type { FlagGroup } from './flag-table.ts';

export const CONNECTION_FLAGS: FlagGroup = {
  title: 'Cluster',
  flags: [
    {
      name: 'kubeconfig',
      type: 'string',
      value: 'PATH',
      help: 'kubeconfig to use; default $KUBECONFIG (merged), then ~/.kube/config, then in-cluster',
    },
    {
      name: 'install-crds',
      type: 'boolean',
      help: 'server-side apply the hub CRDs at start and wait until Established',
    },
  ],
};

export const WEBHOOK_FLAGS: FlagGroup = {
  title: 'Admission webhooks',
  flags: [
    {
      name: 'webhook-port',
      type: 'string',
      value: 'N',
      default: '9443',
      help: 'HTTPS port of the webhooks; 0 turns webhooks off',
    },
    {
      name: 'webhook-cert-dir',
      type: 'string',
      value: 'DIR',
      help: 'tls.crt + tls.key (cert-manager); absent: a self-signed CA and cert in memory',
    },
    {
      name: 'webhook-url',
      type: 'string',
      value: 'URL',
      help: 'out of cluster: create or patch the webhook configurations to call URL with our CA',
    },
  ],
};

export const SERVING_FLAGS: FlagGroup = {
  title: 'Metrics and probes',
  flags: [
    {
      name: 'metrics-bind-address',
      type: 'string',
      value: 'ADDR',
      default: ':8080',
      help: 'Prometheus /metrics; 0 turns it off',
    },
    {
      name: 'health-probe-bind-address',
      type: 'string',
      value: 'ADDR',
      default: ':8081',
      help: '/healthz and /readyz; 0 turns them off',
    },
  ],
};

export const LEADER_FLAGS: FlagGroup = {
  title: 'Leader election (Lease 15 s, renew deadline 10 s, retry 2 s)',
  flags: [
    {
      name: 'leader-elect',
      type: 'boolean',
      help: 'elect one leader through a coordination.k8s.io Lease; standbys serve webhooks and probes',
    },
    {
      name: 'leader-election-namespace',
      type: 'string',
      value: 'NS',
      help: 'namespace of the Lease (default: --controller-namespace)',
    },
    {
      name: 'leader-election-id',
      type: 'string',
      value: 'ID',
      default: 'hub-controller.imagehub.sealos.io',
      help: 'name of the Lease',
    },
    {
      name: 'concurrency',
      type: 'string',
      value: 'N',
      default: '4',
      help: 'concurrent reconciles per controller',
    },
  ],
};

export const CATALOGUE_FLAGS: FlagGroup = {
  title: 'Catalogue policy',
  flags: [
    {
      name: 'missing-organization',
      type: 'string',
      value: 'create|wait',
      default: 'create',
      choices: ['create', 'wait'],
      help: 'create a missing Organization, or wait for someone to',
    },
    {
      name: 'delete-empty-repositories',
      type: 'string',
      value: 'true|false',
      default: 'true',
      choices: ['true', 'false'],
      help: 'delete a Repository when its last Image is gone',
    },
    {
      name: 'organization-creation',
      type: 'string',
      value: 'anyone|group:NAME',
      default: 'anyone',
      help: 'who may create Organizations (also through a first push); cluster admins always may',
    },
    {
      name: 'controller-namespace',
      type: 'string',
      value: 'NS',
      default: 'imagehub-system',
      help: 'namespace the controller runs in (webhook Service names, default Lease namespace)',
    },
    {
      name: 'user-namespace',
      type: 'string',
      value: 'NS',
      default: 'user-system',
      help: 'namespace whose service accounts are users',
    },
  ],
};

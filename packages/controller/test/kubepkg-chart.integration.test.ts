// The chart's KubePkg controller (kubepkg.enabled), rendered by the real helm and checked on the real apiserver:
// a Deployment of its own under a ServiceAccount of its own (never the catalogue's), flags hub-controller
// accepts, and the KubePkg webhook as the code defines it, trusting its own generated CA.
import { ensureDeployTools } from '@hub/test-env';
import {
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { X509Certificate } from '@peculiar/x509';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.ts';
import { KUBEPKG_ADMISSION } from '../src/kubepkg/kubepkg-admission.ts';
import { webhookConfigurations } from '../src/webhook/webhook-configurations.ts';
import { byKind, type Manifest, chartNamespace as namespace, renderChart } from './chart.ts';

const env = inject('hubTestEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(env.kubeconfigPath);
const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
let manifests: Manifest[];

const named = (kind: string, name: string) =>
  byKind(manifests, kind).find((m) => m.metadata?.name === name) as Manifest & Record<string, never>;
type Deployment = {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { serviceAccountName: string; containers: { args: string[] }[] };
    };
  };
};

beforeAll(async () => {
  const tools = await ensureDeployTools();
  manifests = await renderChart(tools.helm, 'kubepkg.enabled=true', 'kubepkg.registry=agent.apps:5000');
  await kubeConfig
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: namespace } } })
    .catch((error: { code?: number }) => {
      if (error.code !== 409) throw error;
    });
}, 600_000);

describe('the chart with kubepkg.enabled', () => {
  it('runs hub-controller --kubepkg --catalogue=false in its own Deployment, pods no catalogue selector picks', async () => {
    const kubepkg = named('Deployment', 'hub-hub-controller-kubepkg') as unknown as Deployment;
    const catalogue = named('Deployment', 'hub-hub-controller') as unknown as Deployment;
    const args = kubepkg.spec.template.spec.containers[0]?.args ?? [];
    expect(args).toEqual(
      expect.arrayContaining(['--kubepkg', '--catalogue=false', '--kubepkg-registry=agent.apps:5000']),
    );
    let stderr = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t) },
      env: {},
      isTTY: false,
    };
    expect(await runCli([...args, '--help'], io), stderr).toBe(0);
    // Its own ServiceAccount, and none of the catalogue's Deployment, Services or PDB selects its pods.
    expect(kubepkg.spec.template.spec.serviceAccountName).toBe('hub-hub-controller-kubepkg');
    expect(catalogue.spec.template.spec.serviceAccountName).toBe('hub-hub-controller');
    const labels = kubepkg.spec.template.metadata.labels;
    const selects = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(selects(catalogue.spec.selector.matchLabels)).toBe(false);
    for (const service of byKind(manifests, 'Service').filter(
      (s) => !String(s.metadata?.name).includes('kubepkg'),
    ))
      expect(selects((service.spec as { selector: Record<string, string> }).selector)).toBe(false);
  });

  it('registers the KubePkg webhook as the code defines it, trusting its own CA, and dry-runs cleanly', async () => {
    const [fromCode] = webhookConfigurations({
      definitions: [KUBEPKG_ADMISSION],
      url: 'https://x',
      caPem: '',
    });
    const expected = (
      (fromCode?.webhooks ?? []) as Array<{ name: string; rules: unknown; clientConfig: { url: string } }>
    )[0];
    const config = named('ValidatingWebhookConfiguration', 'hub-hub-controller-kubepkg');
    const [webhook] = config.webhooks as unknown as Array<{
      name: string;
      rules: unknown;
      clientConfig: { service: { name: string; path: string }; caBundle: string };
    }>;
    expect(webhook?.name).toBe(expected?.name);
    expect(webhook?.rules).toEqual(expected?.rules);
    expect(webhook?.clientConfig.service).toMatchObject({
      name: 'hub-hub-controller-kubepkg-webhook',
      path: new URL(expected?.clientConfig.url ?? '').pathname,
    });
    const data = named('Secret', 'hub-hub-controller-kubepkg-webhook-tls').data as unknown as Record<
      string,
      string
    >;
    expect(webhook?.clientConfig.caBundle).toBe(data['ca.crt']);
    const serving = new X509Certificate(Buffer.from(data['tls.crt'] ?? '', 'base64').toString());
    expect(serving.getExtension('2.5.29.17')?.toString('text')).toContain(
      `hub-hub-controller-kubepkg-webhook.${namespace}.svc`,
    );
    for (const manifest of manifests.filter((m) => String(m.metadata?.name).includes('kubepkg')))
      await objects.patch(manifest, undefined, 'All', 'hub-deploy-test', true, PatchStrategy.ServerSideApply);
  });

  it("gives the KubePkg ServiceAccount the apps' rights and its own objects, the catalogue's none of them", async () => {
    for (const kind of ['ClusterRole', 'ClusterRoleBinding'])
      await objects.patch(
        named(kind, 'hub-hub-controller-kubepkg'),
        undefined,
        undefined,
        'hub-deploy-test',
        true,
        PatchStrategy.ServerSideApply,
      );
    for (const kind of ['ClusterRole', 'ClusterRoleBinding'])
      await objects.patch(
        named(kind, 'hub-hub-controller'),
        undefined,
        undefined,
        'hub-deploy-test',
        true,
        PatchStrategy.ServerSideApply,
      );
    const authz = kubeConfig.makeApiClient(AuthorizationV1Api);
    const can = async (account: string, group: string, resource: string, verb: string) => {
      const review = await authz.createSubjectAccessReview({
        body: {
          spec: {
            user: `system:serviceaccount:${namespace}:${account}`,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
            resourceAttributes: { group, resource, verb, namespace: 'apps' },
          },
        },
      });
      return review.status?.allowed === true;
    };
    expect(await can('hub-hub-controller-kubepkg', 'apps', 'deployments', 'patch')).toBe(true);
    expect(await can('hub-hub-controller-kubepkg', 'octohelm.tech', 'kubepkgs/status', 'patch')).toBe(true);
    expect(await can('hub-hub-controller', 'apps', 'deployments', 'patch')).toBe(false);
    expect(await can('hub-hub-controller', 'octohelm.tech', 'kubepkgs', 'list')).toBe(false);
  });
});

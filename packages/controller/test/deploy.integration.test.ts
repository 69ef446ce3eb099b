// The chart and the kustomize base, rendered by the real helm and kustomize (built from Go modules)
// and server-side dry-run on the real apiserver; the generated pieces must match the code.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openKeyRing, runCli } from '@hub/controller';
import { catalogueAdmission } from '@hub/reconcilers';
import { type DeployTools, ensureDeployTools } from '@hub/test-env';
import {
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { X509Certificate } from '@peculiar/x509';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  byKind,
  chartDir as chart,
  type Manifest,
  manifestsOf,
  chartNamespace as namespace,
  renderChart,
  runHelm,
} from './chart.ts';

const run = promisify(execFile);
const env = inject('hubTestEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(env.kubeconfigPath);
const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
const packageDir = join(import.meta.dirname, '..');

let tools: DeployTools;

/** The ports of the token Service. */
function tokenServicePorts(manifests: Manifest[]): number[] {
  const service = byKind(manifests, 'Service').find((s) => s.metadata?.name === 'hub-hub-controller-token');
  return ((service?.spec ?? {}) as { ports?: { port: number }[] }).ports?.map((p) => p.port) ?? [];
}

interface PodSpec {
  containers: { args?: string[]; volumeMounts?: unknown[] }[];
  volumes?: unknown[];
}

const helm = (...args: string[]) => runHelm(tools.helm, ...args);
const render = (...set: string[]) => renderChart(tools.helm, ...set);

/** Server-side apply with dryRun=All: the apiserver validates every field and admission runs. */
async function dryRun(manifests: Manifest[]): Promise<string[]> {
  const accepted: string[] = [];
  for (const manifest of manifests) {
    await objects.patch(manifest, undefined, 'All', 'hub-deploy-test', true, PatchStrategy.ServerSideApply);
    accepted.push(`${manifest.kind}/${manifest.metadata?.name}`);
  }
  return accepted;
}

const isCertManager = (m: Manifest) => String(m.apiVersion).startsWith('cert-manager.io/');

beforeAll(async () => {
  tools = await ensureDeployTools();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core
    .createNamespace({ body: { metadata: { name: namespace } } })
    .catch((error: { code?: number }) => {
      if (error.code !== 409) throw error;
    });
}, 600_000);

describe('the Helm chart', () => {
  it('passes helm lint --strict', async () => {
    const out = await helm('lint', '--strict', chart);
    expect(out).toContain('0 chart(s) failed');
  });

  it('renders self-managed certificates that the webhook configurations trust, and dry-runs cleanly', async () => {
    const manifests = await render();
    const accepted = await dryRun(manifests);
    expect(accepted).toEqual(
      expect.arrayContaining(['Deployment/hub-hub-controller', 'ClusterRole/hub-user']),
    );
    expect(manifests.filter(isCertManager)).toEqual([]);

    const [secret] = byKind(manifests, 'Secret').filter((s) => s.type === 'kubernetes.io/tls');
    const data = secret?.data as Record<string, string>;
    const ca = new X509Certificate(Buffer.from(data['ca.crt'] ?? '', 'base64').toString());
    const serving = new X509Certificate(Buffer.from(data['tls.crt'] ?? '', 'base64').toString());
    expect(await serving.verify({ publicKey: ca.publicKey, signatureOnly: true })).toBe(true);
    expect(serving.getExtension('2.5.29.17')?.toString('text')).toContain(
      `hub-hub-controller-webhook.${namespace}.svc`,
    );

    const configurations = [
      ...byKind(manifests, 'MutatingWebhookConfiguration'),
      ...byKind(manifests, 'ValidatingWebhookConfiguration'),
    ];
    const webhooks = configurations.flatMap((c) => c.webhooks as { clientConfig: Record<string, unknown> }[]);
    // One webhook per admission definition of the code, each trusting the generated CA.
    expect(webhooks).toHaveLength(catalogueAdmission().length);
    for (const webhook of webhooks) {
      expect(webhook.clientConfig.caBundle).toBe(data['ca.crt']);
      expect(webhook.clientConfig.service).toMatchObject({ name: 'hub-hub-controller-webhook', namespace });
    }
    const deployment = byKind(manifests, 'Deployment')[0] as {
      spec: { replicas: number; template: { spec: Record<string, unknown> } };
    };
    expect(deployment.spec.replicas).toBe(2);
    const volumes = deployment.spec.template.spec.volumes as { secret?: { secretName: string } }[];
    expect(volumes.map((v) => v.secret?.secretName)).toContain(secret?.metadata?.name);
  });

  it('with cert-manager, the Certificate fills the Secret the pods mount and cainjector is asked for the CA', async () => {
    const manifests = await render('webhook.certManager.enabled=true');
    await dryRun(manifests.filter((m) => !isCertManager(m)));
    const [certificate] = byKind(manifests, 'Certificate') as { spec: { secretName: string } }[];
    expect(certificate?.spec.secretName).toBe('hub-hub-controller-webhook-tls');
    expect(byKind(manifests, 'Secret').filter((s) => s.type === 'kubernetes.io/tls')).toEqual([]);
    for (const configuration of byKind(manifests, 'ValidatingWebhookConfiguration')) {
      expect(configuration.metadata?.annotations?.['cert-manager.io/inject-ca-from']).toBe(
        `${namespace}/hub-hub-controller-webhook`,
      );
    }
  });

  it('with the token server on, generates a signing key pair that the key ring of the controller loads', async () => {
    const manifests = await render('registryToken.enabled=true');
    await dryRun(manifests);
    const secret = byKind(manifests, 'Secret').find(
      (s) => s.metadata?.name === 'hub-hub-controller-token-keys',
    );
    const dir = mkdtempSync(join(tmpdir(), 'hub-token-keys-'));
    for (const [file, value] of Object.entries((secret?.data ?? {}) as Record<string, string>)) {
      writeFileSync(join(dir, file), Buffer.from(value, 'base64'));
    }
    const ring = await openKeyRing({ dir, issuer: 'hub-token', tokenTtlMs: 300_000 });
    expect(ring.publishedKeys()).toHaveLength(1);
    expect(ring.signingKey().name).toBe('hub-token');
    const service = byKind(manifests, 'Service').find((s) => s.metadata?.name === 'hub-hub-controller-token');
    expect(service).toBeDefined();
    const deployment = JSON.stringify(byKind(manifests, 'Deployment'));
    expect(deployment).toContain('--registry-token-key-dir=/var/run/hub/token-keys');
  });

  it('with the token server on, takes only hub-registry tokens, over HTTPS, and believes no proxy', async () => {
    const manifests = await render('registryToken.enabled=true');
    await dryRun(manifests);
    const pod = (byKind(manifests, 'Deployment')[0] as { spec: { template: { spec: PodSpec } } }).spec
      .template.spec;
    const args = pod.containers[0]?.args ?? [];
    // A Kubernetes API token is no registry password: TokenReview must find the hub-registry audience.
    expect(args).toContain('--registry-token-audiences=hub-registry');
    expect(args.filter((a) => a.startsWith('--registry-token-trusted-proxies'))).toEqual([]);
    expect(args).toContain('--registry-token-tls-cert-dir=/var/run/hub/token-tls');
    expect(pod.containers[0]?.volumeMounts).toContainEqual({
      name: 'token-tls',
      mountPath: '/var/run/hub/token-tls',
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: 'token-tls',
      secret: { secretName: 'hub-hub-controller-token-tls' },
    });
    expect(tokenServicePorts(manifests)).toEqual([443]);

    const secret = byKind(manifests, 'Secret').find(
      (s) => s.metadata?.name === 'hub-hub-controller-token-tls',
    );
    expect(secret?.type).toBe('kubernetes.io/tls');
    const data = (secret?.data ?? {}) as Record<string, string>;
    const ca = new X509Certificate(Buffer.from(data['ca.crt'] ?? '', 'base64').toString());
    const serving = new X509Certificate(Buffer.from(data['tls.crt'] ?? '', 'base64').toString());
    expect(await serving.verify({ publicKey: ca.publicKey, signatureOnly: true })).toBe(true);
    expect(serving.getExtension('2.5.29.17')?.toString('text')).toContain(
      `hub-hub-controller-token.${namespace}.svc`,
    );
  });

  it('sets trusted proxies, a cert-manager certificate, an existing Secret or plain HTTP only when asked', async () => {
    const argsOf = (manifests: Manifest[]) =>
      (byKind(manifests, 'Deployment')[0] as { spec: { template: { spec: PodSpec } } }).spec.template.spec
        .containers[0]?.args ?? [];
    const proxied = await render(
      'registryToken.enabled=true',
      'registryToken.trustedProxies={10.0.0.1,10.0.0.2}',
    );
    expect(argsOf(proxied)).toContain('--registry-token-trusted-proxies=10.0.0.1,10.0.0.2');

    const managed = await render(
      'registryToken.enabled=true',
      'webhook.certManager.enabled=true',
      'registryToken.tls.dnsNames={token.example.com}',
    );
    const certificate = byKind(managed, 'Certificate').find(
      (c) => c.metadata?.name === 'hub-hub-controller-token',
    );
    expect(certificate?.spec).toMatchObject({ secretName: 'hub-hub-controller-token-tls' });
    expect(((certificate?.spec ?? {}) as { dnsNames?: string[] }).dnsNames).toEqual(
      expect.arrayContaining([`hub-hub-controller-token.${namespace}.svc`, 'token.example.com']),
    );
    expect(byKind(managed, 'Secret').map((s) => s.metadata?.name)).not.toContain(
      'hub-hub-controller-token-tls',
    );

    const existing = await render('registryToken.enabled=true', 'registryToken.tls.existingSecret=my-tls');
    expect(byKind(existing, 'Secret').map((s) => s.metadata?.name)).not.toContain(
      'hub-hub-controller-token-tls',
    );
    expect(JSON.stringify(byKind(existing, 'Deployment'))).toContain('"secretName":"my-tls"');

    const plain = await render('registryToken.enabled=true', 'registryToken.plainHttp=true');
    expect(argsOf(plain).filter((a) => a.startsWith('--registry-token-tls-cert-dir'))).toEqual([]);
    expect(tokenServicePorts(plain)).toEqual([80]);
    expect(byKind(plain, 'Secret').map((s) => s.metadata?.name)).not.toContain(
      'hub-hub-controller-token-tls',
    );
  });

  it('gives catalogue users exactly the hub-user rights (checked by the apiserver authorizer)', async () => {
    const manifests = await render();
    const role = byKind(manifests, 'ClusterRole').find((r) => r.metadata?.name === 'hub-user') as Manifest;
    await objects.patch(role, undefined, undefined, 'hub-deploy-test', true, PatchStrategy.ServerSideApply);
    const binding: Manifest = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'hub-user-deploy-test' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hub-user' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'deploy-test-users' }],
    };
    await objects.patch(
      binding,
      undefined,
      undefined,
      'hub-deploy-test',
      true,
      PatchStrategy.ServerSideApply,
    );
    const authz = kubeConfig.makeApiClient(AuthorizationV1Api);
    const can = async (verb: string, resource: string) => {
      const review = await authz.createSubjectAccessReview({
        body: {
          spec: {
            user: 'alice',
            groups: ['deploy-test-users'],
            resourceAttributes: { group: 'imagehub.sealos.io', resource, verb },
          },
        },
      });
      return review.status?.allowed === true;
    };
    expect(await can('create', 'images')).toBe(true);
    expect(await can('delete', 'repositories')).toBe(true);
    expect(await can('create', 'organizations')).toBe(true);
    expect(await can('update', 'organizations')).toBe(false);
    expect(await can('delete', 'datapacks')).toBe(false);
    expect(await can('update', 'images/status')).toBe(false);
  });
});

describe('the Deployment and the CLI', () => {
  it('passes only flags hub-controller accepts, with every feature on', async () => {
    const manifests = await render('registryToken.enabled=true', 'registryToken.trustedProxies={10.0.0.1}');
    const deployment = byKind(manifests, 'Deployment')[0] as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    const args = deployment.spec.template.spec.containers[0]?.args ?? [];
    expect(args).toContain('--leader-elect');
    let stderr = '';
    const code = await runCli([...args, '--help'], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      signal: new AbortController().signal,
      isTTY: false,
    });
    expect(code, stderr).toBe(0);
  });
});

describe('the kustomize base', () => {
  it('is what the generator renders from the chart and the code', async () => {
    const script = join(packageDir, 'scripts', 'generate-deploy.ts');
    const { stdout } = await run(process.execPath, ['--conditions=@hub/source', script, '--check'], {
      env: { ...process.env, HUB_HELM: tools.helm },
    });
    expect(stdout).toContain('up to date');
  });

  it('builds with kustomize and dry-runs cleanly (cert-manager objects aside)', async () => {
    const { stdout } = await run(
      tools.kustomize,
      ['build', join(packageDir, 'deploy', 'kustomize', 'base')],
      {
        maxBuffer: 32 << 20,
      },
    );
    const manifests = manifestsOf(stdout);
    expect(
      manifests
        .filter(isCertManager)
        .map((m) => m.kind)
        .sort(),
    ).toEqual(['Certificate', 'Issuer']);
    const accepted = await dryRun(manifests.filter((m) => !isCertManager(m)));
    expect(accepted).toEqual(
      expect.arrayContaining([`Namespace/${namespace}`, 'Deployment/hub-hub-controller']),
    );
    for (const m of manifests) {
      if (
        m.kind !== 'CustomResourceDefinition' &&
        m.kind !== 'ClusterRole' &&
        m.kind !== 'ClusterRoleBinding' &&
        m.kind !== 'Namespace'
      ) {
        if (!m.kind?.endsWith('WebhookConfiguration')) expect(m.metadata?.namespace).toBe(namespace);
      }
    }
  });
});

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestEnvError } from '../errors.ts';
import { PROBE_PATH_PREFIX, type WebhookServer } from '../webhooks/webhook-server.ts';
import { type ApiAccess, apiRequest } from './install-crds.ts';

/** A ValidatingWebhookConfiguration or MutatingWebhookConfiguration object (admissionregistration.k8s.io/v1). */
export interface WebhookConfiguration {
  apiVersion?: string;
  kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';
  metadata: { name: string; [key: string]: unknown };
  webhooks?: Array<WebhookEntry>;
  [key: string]: unknown;
}

interface WebhookEntry {
  name: string;
  clientConfig?: { url?: string; service?: { path?: string; [key: string]: unknown }; caBundle?: string };
  [key: string]: unknown;
}

/** Label the readiness probe's dry-run ConfigMap carries; the probe webhook selects only it. */
export const PROBE_LABEL = 'hub-testenv.local/probe';

/**
 * envtest's `updateClientConfig`: a `service` reference becomes `url: <server>/<service.path>`, a `url` keeps its
 * path but points at the local server; `caBundle` is the server's CA.
 */
export function pointWebhooksAt(
  config: WebhookConfiguration,
  server: Pick<WebhookServer, 'url' | 'caBundle'>,
) {
  return {
    ...config,
    apiVersion: 'admissionregistration.k8s.io/v1',
    webhooks: (config.webhooks ?? []).map((hook) => {
      const path =
        hook.clientConfig?.service?.path ??
        (hook.clientConfig?.url ? new URL(hook.clientConfig.url).pathname : '/');
      return {
        ...hook,
        clientConfig: {
          url: `${server.url}${path.startsWith('/') ? path : `/${path}`}`,
          caBundle: server.caBundle,
        },
      };
    }),
  };
}

/** The extra webhook registerWebhooks adds to a configuration: it matches only its own dry-run probe ConfigMap. */
export function probeWebhook(id: string, server: Pick<WebhookServer, 'url' | 'caBundle'>): WebhookEntry {
  return {
    name: `probe-${id}.hub-testenv.local`,
    clientConfig: { url: `${server.url}${PROBE_PATH_PREFIX}${id}`, caBundle: server.caBundle },
    rules: [
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE'],
        resources: ['configmaps'],
        scope: 'Namespaced',
      },
    ],
    objectSelector: { matchLabels: { [PROBE_LABEL]: id } },
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    failurePolicy: 'Fail',
    timeoutSeconds: 5,
  };
}

/**
 * Creates the configurations pointed at `server`, each with an extra probe webhook, then sends dry-run ConfigMap
 * creates until the server has seen every probe. The apiserver loads a configuration object as a whole, so a
 * called probe proves the configuration's other webhooks are live too (the docs' "a few seconds" delay).
 */
export async function registerWebhookConfigurations(
  api: ApiAccess,
  configs: readonly WebhookConfiguration[],
  server: WebhookServer,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const probes: string[] = [];
  for (const config of configs) {
    const id = randomUUID().slice(0, 8);
    probes.push(id);
    const body = pointWebhooksAt(config, server);
    body.webhooks = [...body.webhooks, probeWebhook(id, server) as (typeof body.webhooks)[number]];
    const plural =
      config.kind === 'MutatingWebhookConfiguration'
        ? 'mutatingwebhookconfigurations'
        : 'validatingwebhookconfigurations';
    const base = `/apis/admissionregistration.k8s.io/v1/${plural}`;
    let res = await apiRequest(api, 'POST', base, body);
    if (res.status === 409) {
      const current = await apiRequest(api, 'GET', `${base}/${config.metadata.name}`);
      const resourceVersion = (current.body as { metadata?: { resourceVersion?: string } }).metadata
        ?.resourceVersion;
      res = await apiRequest(api, 'PUT', `${base}/${config.metadata.name}`, {
        ...body,
        metadata: { ...body.metadata, resourceVersion },
      });
    }
    if (res.status >= 300) {
      throw new TestEnvError(
        'INVALID_ARGUMENT',
        `the apiserver refused ${config.kind} ${config.metadata.name} with HTTP ${res.status}`,
        {
          output: res.text,
        },
      );
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const id of probes) {
    let seen = false;
    void server.probeSeen(id).then(() => {
      seen = true;
    });
    while (!seen) {
      if (Date.now() > deadline) {
        throw new TestEnvError(
          'WEBHOOK_TIMEOUT',
          `the apiserver did not call webhook server ${server.url} within ${timeoutMs} ms`,
        );
      }
      await apiRequest(api, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { generateName: 'hub-testenv-probe-', labels: { [PROBE_LABEL]: id } },
      }).catch(() => undefined);
      if (!seen) await sleep(200);
    }
  }
}

import { apiVersionOf } from '@hub/datapack';
import { resourceOfKind } from '../runtime/kinds.ts';
import type { WebhookDefinition } from './webhook-definition.ts';

/** Name of both webhook configurations the controller manages. */
export const WEBHOOK_CONFIGURATION_NAME = 'hub-controller';

/**
 * Failure policies, chosen explicitly: both are `Fail`. While no replica answers, creates, updates
 * and deletes of catalogue objects are refused (pushes that record Images fail and are retried by
 * their client) rather than admitted unchecked: an unchecked Image could land in someone else's
 * Organization, and an unmutated one would lack its labels and requester. Reads never pass through
 * webhooks. Two replicas (all serve webhooks, one reconciles) keep this window to pod restarts.
 */
export const FAILURE_POLICY = { mutating: 'Fail', validating: 'Fail' } as const;
/** The apiserver waits this long for an answer (a cache lookup; well under the 10 s default). */
export const WEBHOOK_TIMEOUT_SECONDS = 5;

export interface WebhookConfigurationInput {
  definitions: readonly WebhookDefinition[];
  /** Base URL the apiserver calls (`--webhook-url`), e.g. `https://127.0.0.1:9443`. */
  url: string;
  caPem: string;
}

/** The Mutating and Validating configurations (apply bodies) calling `url + definition.path`. */
export function webhookConfigurations(input: WebhookConfigurationInput): Record<string, unknown>[] {
  const base = input.url.replace(/\/+$/, '');
  const caBundle = Buffer.from(input.caPem).toString('base64');
  const out: Record<string, unknown>[] = [];
  for (const type of ['mutating', 'validating'] as const) {
    const definitions = input.definitions.filter((d) => d.type === type);
    if (definitions.length === 0) continue;
    out.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: type === 'mutating' ? 'MutatingWebhookConfiguration' : 'ValidatingWebhookConfiguration',
      metadata: {
        name: WEBHOOK_CONFIGURATION_NAME,
        labels: { 'app.kubernetes.io/managed-by': 'hub-controller' },
      },
      webhooks: definitions.map((definition) => {
        const resource = resourceOfKind(definition.kind);
        return {
          // Webhook names must be fully qualified.
          name: `${definition.name}.imagehub.sealos.io`,
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: FAILURE_POLICY[type],
          matchPolicy: 'Equivalent',
          timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
          ...(type === 'mutating' ? { reinvocationPolicy: 'Never' } : {}),
          clientConfig: { url: `${base}${definition.path}`, caBundle },
          rules: [
            {
              apiGroups: [resource.group],
              apiVersions: [apiVersionOf(resource).split('/')[1] ?? resource.version],
              resources: [resource.plural],
              operations: [...definition.operations],
              scope: resource.namespaced ? 'Namespaced' : 'Cluster',
            },
          ],
        };
      }),
    });
  }
  return out;
}

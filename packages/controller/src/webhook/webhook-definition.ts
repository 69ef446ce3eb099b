import type { AdmissionDefinition } from '@hub/reconcilers';

/**
 * What the webhook server serves: a catalogue AdmissionDefinition, or another package's webhook (KubePkg) for
 * any kind the controller knows (`resourceOfKind`). The catalogue's definitions are assignable to it.
 */
export type WebhookDefinition = Omit<AdmissionDefinition, 'kind'> & { readonly kind: string };

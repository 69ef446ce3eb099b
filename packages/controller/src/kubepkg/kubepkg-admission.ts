import { reviewKubePkg } from '@hub/kubepkg/reconcile';
import type { KubeObject } from '@hub/reconcilers';
import type { WebhookDefinition } from '../webhook/webhook-definition.ts';

/**
 * The KubePkg validating webhook: what the schema refuses (with its field path) and manifest keys that break the
 * key rule are refused at the door, so the controller only ever sees packages it can apply. An object being
 * deleted is let through (its finalizer must be releasable whatever it holds).
 */
export const KUBEPKG_ADMISSION: WebhookDefinition = {
  name: 'kubepkg-validation',
  path: '/validate-octohelm-tech-v1alpha1-kubepkg',
  type: 'validating',
  kind: 'KubePkg',
  operations: ['CREATE', 'UPDATE'],
  review(request) {
    const object = request.object as KubeObject | null | undefined;
    if (object?.metadata?.deletionTimestamp) return { allowed: true };
    const review = reviewKubePkg(object);
    if (review.allowed) return { allowed: true };
    return {
      allowed: false,
      code: 422,
      message: `KubePkg ${object?.metadata?.name ?? ''}: ${review.message}`,
    };
  },
};

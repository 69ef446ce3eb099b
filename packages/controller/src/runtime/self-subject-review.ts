import type { KubeTransport } from '@hub/datapack';
import { ControllerError } from '../errors.ts';

/** Who the apiserver says we are. */
export interface Identity {
  username: string;
  groups: string[];
}

/** Asks the apiserver for our own identity (authentication.k8s.io/v1 SelfSubjectReview; works in and out of cluster). */
export async function selfSubjectReview(transport: KubeTransport, signal?: AbortSignal): Promise<Identity> {
  try {
    const review = await transport.request<{
      status?: { userInfo?: { username?: string; groups?: string[] } };
    }>('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      verb: 'create',
      method: 'POST',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      ...(signal ? { signal } : {}),
    });
    const info = review.status?.userInfo;
    if (!info?.username) throw new Error('the review named no user');
    return { username: info.username, groups: info.groups ?? [] };
  } catch (cause) {
    throw new ControllerError(
      'IDENTITY',
      'could not learn the controller identity with a SelfSubjectReview; check the credentials in the kubeconfig',
      {
        cause,
        retryable: true,
      },
    );
  }
}

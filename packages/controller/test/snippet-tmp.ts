import {
  cachedAuthenticator,
  createRegistryTokenHandler,
  createTokenReviewAuthenticator,
  openKeyRing,
  type RegistryAuthCache,
} from '@hub/controller';
import { KubeConfig } from '@kubernetes/client-node';

// The controller's informer cache (informerCacheView), or anything with get(kind, name).
declare const cache: RegistryAuthCache;

const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
const keyRing = await openKeyRing({
  dir: '/var/run/hub-token/keys',
  issuer: 'hub-token',
  tokenTtlMs: 300_000,
});
const handler = createRegistryTokenHandler({
  keyRing,
  cache,
  authenticator: cachedAuthenticator(createTokenReviewAuthenticator({ kubeConfig }), { ttlMs: 10_000 }),
  services: ['hub-registry'],
});

// Pass the TCP peer address so the per-address limits work.
export function GET(request: Request): Promise<Response> {
  return handler(request, { clientAddress: '203.0.113.7' });
}

// The Kubernetes client runtime: the shared transport, the resilient list+watch cache and the resource table.
export { type Backoff, createBackoff, sleep } from '@hub/api-types/retry';
export {
  createInformer,
  type Informer,
  type InformerEvent,
  type InformerOptions,
  type InformerStats,
} from './informer.ts';
export {
  isKubeApiError,
  KubeApiError,
  type KubeApiErrorCode,
  kubeApiErrorFromStatus,
} from './kube-api-error.ts';
export { type KubeConnection, type KubeConnectionSource, kubeConnection } from './kube-connection.ts';
export {
  createKubeTransport,
  type KubeRequestOptions,
  type KubeRequestRecord,
  type KubeTransport,
  type KubeTransportOptions,
  type KubeVerb,
} from './kube-transport.ts';
export { type CachedObject, ObjectStore, objectKey } from './object-store.ts';
export {
  apiVersionOf,
  collectionPath,
  type KnownKind,
  KUBE_RESOURCES,
  type KubeResource,
  objectPath,
} from './resource.ts';
export { createSharedInformerFactory, type SharedInformerFactory } from './shared-informer-factory.ts';
export {
  type AuthenticatorCacheOptions,
  cachedAuthenticator,
  createTokenReviewAuthenticator,
  type ReviewedIdentity,
  type TokenAuthenticator,
  type TokenReviewOptions,
} from './token-review.ts';
export { waitForCrds } from './wait-for-crds.ts';

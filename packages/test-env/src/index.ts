export type { DeployTools } from './binaries/deploy-tools.ts';
export { ensureDeployTools } from './binaries/deploy-tools.ts';
export type {
  BinarySource,
  ControlPlaneBinaries,
  EnsureBinariesOptions,
} from './binaries/resolve-binaries.ts';
export { binariesFromEnvironment, DEBIAN_ETCD, ensureBinaries } from './binaries/resolve-binaries.ts';
export type { CertificateAuthority, CertificatePem, IssueOptions } from './certs/tiny-ca.ts';
export { createCertificateAuthority } from './certs/tiny-ca.ts';
export type { CrdInput } from './control-plane/install-crds.ts';
export type { WebhookConfiguration } from './control-plane/register-webhooks.ts';
export type { EtcdArgsInput, KubeApiserverArgsInput } from './control-plane/server-args.ts';
export { etcdArgs, kubeApiserverArgs } from './control-plane/server-args.ts';
export type {
  ControlPlane,
  ControlPlaneOptions,
  ControlPlaneUser,
} from './control-plane/start-control-plane.ts';
export { startControlPlane } from './control-plane/start-control-plane.ts';
export { widgetCrd } from './control-plane/widget-crd.ts';
export type { HubTestEnv, HubTestEnvOptions } from './environment/start-environment.ts';
export { startHubTestEnv } from './environment/start-environment.ts';
export type { TestEnvErrorCode, TestEnvErrorOptions } from './errors.ts';
export { isTestEnvError, TestEnvError } from './errors.ts';
export type {
  Fault,
  FaultProxy,
  FaultProxyOptions,
  FaultRule,
  FaultTarget,
  InjectedFault,
} from './fault-proxy/index.ts';
export { faultTargetOf, startFaultProxy, takeRule } from './fault-proxy/index.ts';
export type { KubeconfigInput } from './kubeconfig/render-kubeconfig.ts';
export { kubeConfigFromString, renderKubeconfig } from './kubeconfig/render-kubeconfig.ts';
export { freePort } from './net/free-port.ts';
export { liveProcessGroups, peakRssBytes } from './process/managed-process.ts';
export { renderRegistryConfig } from './registry/registry-config.ts';
export type { Registry, RegistryOptions } from './registry/start-registry.ts';
export { REGISTRY_BINARY, startRegistry } from './registry/start-registry.ts';
// Importing this type also loads the `declare module 'vitest'` augmentation that types inject('hubTestEnv').
export type { HubTestEnvContext } from './vitest/provided-context.ts';
export type { AdmissionDecision, AdmissionRequest } from './webhooks/admission-handler.ts';
export { admissionReviewHandler } from './webhooks/admission-handler.ts';
export type { WebhookServer } from './webhooks/webhook-server.ts';
export { startWebhookServer } from './webhooks/webhook-server.ts';

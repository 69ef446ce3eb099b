// @hub/test-env/node: a real node (kubelet, containerd, kube-proxy, CoreDNS) for a test control plane.
export type { NodeBinaries } from './node-binaries.ts';
export { ensureNodeBinaries } from './node-binaries.ts';
export type { NodeImages } from './node-images.ts';
export { pushNodeImages } from './node-images.ts';
export type { NodeNamespace } from './node-namespace.ts';
export { createNodeNamespace } from './node-namespace.ts';
export type { NodeNetworkPlan } from './node-network-plan.ts';
export { pickNodeOctet, planNodeNetwork } from './node-network-plan.ts';
export type { NodeOptions, TestNode } from './start-node.ts';
export { startNode } from './start-node.ts';

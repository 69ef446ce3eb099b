export type { FaultProxy, FaultProxyOptions, InjectedFault } from './fault-proxy.ts';
export { startFaultProxy } from './fault-proxy.ts';
export type { Fault, FaultRule, FaultTarget } from './fault-rules.ts';
export { faultTargetOf, takeRule } from './fault-rules.ts';

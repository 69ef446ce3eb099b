import { describe, expect, it } from 'vitest';
import { pickNodeOctet, planNodeNetwork } from './node-network-plan.ts';

describe('planNodeNetwork', () => {
  it('keeps the link, pod and Service ranges inside one /16', () => {
    const plan = planNodeNetwork(77, 'abcd1234');
    expect(plan).toMatchObject({
      supernet: '10.77.0.0/16',
      podCidr: '10.77.0.0/24',
      serviceCidr: '10.77.128.0/24',
      hostIp: '10.77.255.1',
      nodeIp: '10.77.255.2',
      kubernetesServiceIp: '10.77.128.1',
      dnsServiceIp: '10.77.128.10',
      hostVeth: 'hubhabcd1234',
    });
    expect(plan.hostVeth.length).toBeLessThanOrEqual(15);
  });

  it('refuses an octet outside 1..254', () => {
    expect(() => planNodeNetwork(0, 'x')).toThrow(RangeError);
    expect(() => planNodeNetwork(255, 'x')).toThrow(RangeError);
  });
});

describe('pickNodeOctet', () => {
  const routes = [
    'default via 192.0.2.1 dev eth0',
    'blackhole 10.70.0.0/16',
    '10.70.0.0/24 via 10.70.255.2 dev hubh1',
    '10.96.0.0/12 dev tun0',
    'local 10.70.255.1 dev hubh1 table local proto kernel scope host src 10.70.255.1',
  ].join('\n');

  it('skips every /16 a host route overlaps, wider routes included', () => {
    const picked = new Set<number>();
    for (let i = 0; i < 200; i++) picked.add(pickNodeOctet(routes, () => i / 200));
    expect(picked.has(70)).toBe(false);
    for (let octet = 96; octet < 112; octet++) expect(picked.has(octet)).toBe(false);
    expect(picked.has(64)).toBe(true);
    expect(picked.has(112)).toBe(true);
  });

  it('ignores 10/8 itself: the node routes are more specific', () => {
    expect(pickNodeOctet('10.0.0.0/8 dev wg0', () => 0)).toBe(64);
  });
});

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubeConfigFromString, renderKubeconfig } from './render-kubeconfig.ts';

const input = {
  server: 'https://127.0.0.1:6443',
  caPem: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
  user: 'alice',
  certPem: 'CERT',
  keyPem: 'KEY',
};

describe('renderKubeconfig', () => {
  it('inlines the CA and client credentials as base64 data', () => {
    const doc = parse(renderKubeconfig(input));
    expect(doc['current-context']).toBe('alice@hub-testenv');
    expect(doc.clusters[0].cluster.server).toBe('https://127.0.0.1:6443');
    expect(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(
      input.caPem,
    );
    expect(Buffer.from(doc.users[0].user['client-key-data'], 'base64').toString()).toBe('KEY');
  });

  it('loads into a client-node KubeConfig with the same server and user', () => {
    const kc = kubeConfigFromString(renderKubeconfig({ ...input, clusterName: 'c1' }));
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect(kc.getCurrentUser()?.name).toBe('alice');
    expect(kc.getCurrentContext()).toBe('alice@c1');
  });
});

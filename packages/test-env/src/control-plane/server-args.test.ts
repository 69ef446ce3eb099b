import { describe, expect, it } from 'vitest';
import { etcdArgs, kubeApiserverArgs } from './server-args.ts';

const apiserverInput = {
  etcdUrl: 'http://127.0.0.1:2379',
  securePort: 6443,
  certDir: '/tmp/c',
  tlsCertFile: '/tmp/c/apiserver.crt',
  tlsKeyFile: '/tmp/c/apiserver.key',
  clientCaFile: '/tmp/c/client-ca.crt',
  serviceAccountPublicKeyFile: '/tmp/c/sa.pub',
  serviceAccountSigningKeyFile: '/tmp/c/sa.key',
};

describe('kubeApiserverArgs', () => {
  it('has the envtest defaults', () => {
    const args = kubeApiserverArgs(apiserverInput);
    expect(args).toContain('--authorization-mode=RBAC');
    expect(args).toContain('--disable-admission-plugins=ServiceAccount');
    expect(args).toContain('--service-account-issuer=https://127.0.0.1:6443/');
    expect(args).toContain('--service-account-signing-key-file=/tmp/c/sa.key');
    expect(args).toContain('--bind-address=127.0.0.1');
    expect(args.some((a) => a.startsWith('--insecure-port'))).toBe(false);
  });

  it('lets extra flags replace defaults and add new ones', () => {
    const args = kubeApiserverArgs({ ...apiserverInput, extra: ['--authorization-mode=Node,RBAC', '--v=2'] });
    expect(args.filter((a) => a.startsWith('--authorization-mode='))).toEqual([
      '--authorization-mode=Node,RBAC',
    ]);
    expect(args).toContain('--v=2');
  });
});

describe('etcdArgs', () => {
  it('listens on loopback and adds --unsafe-no-fsync only when supported', () => {
    const base = { clientPort: 1, peerPort: 2, dataDir: '/d' };
    expect(etcdArgs({ ...base, unsafeNoFsync: true })).toContain('--unsafe-no-fsync=true');
    const old = etcdArgs({ ...base, unsafeNoFsync: false });
    expect(old.some((a) => a.startsWith('--unsafe-no-fsync'))).toBe(false);
    expect(old).toContain('--listen-client-urls=http://127.0.0.1:1');
    expect(old).toContain('--listen-peer-urls=http://127.0.0.1:2');
  });
});

import { describe, expect, it } from 'vitest';
import { TestEnvError } from '../errors.ts';
import { binariesFromEnvironment, buildScriptPath, parseBuildOutput } from './resolve-binaries.ts';

const always = () => true;

describe('binariesFromEnvironment', () => {
  it('reads the setup-envtest layout from KUBEBUILDER_ASSETS', () => {
    expect(binariesFromEnvironment({ KUBEBUILDER_ASSETS: '/assets/1.36' }, always)).toEqual({
      kubeApiserver: '/assets/1.36/kube-apiserver',
      etcd: '/assets/1.36/etcd',
      source: 'KUBEBUILDER_ASSETS',
    });
  });

  it('lets TEST_ASSET_* override one binary', () => {
    const result = binariesFromEnvironment({ KUBEBUILDER_ASSETS: '/a', TEST_ASSET_ETCD: '/e/etcd' }, always);
    expect(result).toEqual({ kubeApiserver: '/a/kube-apiserver', etcd: '/e/etcd', source: 'TEST_ASSET' });
  });

  it('returns undefined when nothing is configured, so the binaries get built', () => {
    expect(binariesFromEnvironment({}, always)).toBeUndefined();
    expect(binariesFromEnvironment({ TEST_ASSET_ETCD: '/e' }, always)).toBeUndefined();
  });

  it('throws BINARY_NOT_FOUND for a configured path that is not executable', () => {
    const check = () => binariesFromEnvironment({ KUBEBUILDER_ASSETS: '/nope' }, () => false);
    expect(check).toThrow(TestEnvError);
    expect(check).toThrow(/KUBEBUILDER_ASSETS/);
  });
});

describe('parseBuildOutput', () => {
  it('takes the KUBE_APISERVER and ETCD lines', () => {
    expect(
      parseBuildOutput('noise\nKUBE_APISERVER=/c/k8s-v1.36.3/kube-apiserver\nETCD=/c/etcd-v3.6.8/etcd\n'),
    ).toEqual({
      kubeApiserver: '/c/k8s-v1.36.3/kube-apiserver',
      etcd: '/c/etcd-v3.6.8/etcd',
    });
  });
});

describe('buildScriptPath', () => {
  it('finds go/build-binaries.sh from the source tree', () => {
    expect(buildScriptPath()).toMatch(/test-env\/go\/build-binaries\.sh$/);
  });
});

import { KUBEPKG_API_VERSION, safeParseKubePkg, safeParseKubePkgDocument } from '@hub/kubepkg/spec';
import { describe, expect, it } from 'vitest';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function demo(): Record<string, unknown> {
  return {
    apiVersion: KUBEPKG_API_VERSION,
    kind: 'KubePkg',
    metadata: { name: 'demo' },
    spec: {
      version: '0.0.1',
      images: { 'docker.io/library/nginx:alpine': '', 'ghcr.io/a/b:1': DIGEST },
      manifests: {
        'web.default.deployment': {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'default' },
          spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
        },
      },
    },
  };
}

describe('safeParseKubePkg', () => {
  it('accepts the seed example and keeps unknown manifest fields', () => {
    const result = safeParseKubePkg(demo());
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(result.data.spec.manifests['web.default.deployment']?.spec).toEqual({
      replicas: 1,
      template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } },
    });
  });

  it('defaults missing images and manifests to empty maps', () => {
    const input = demo();
    input.spec = { version: '1.0.0' };
    const result = safeParseKubePkg(input);
    expect(result.success && result.data.spec).toEqual({ version: '1.0.0', images: {}, manifests: {} });
  });

  it('reports every issue with a readable path', () => {
    const input = demo();
    const spec = input.spec as Record<string, unknown>;
    spec.version = 'v1';
    (spec.images as Record<string, string>)['docker.io/x:1'] = 'sha256:short';
    (spec.images as Record<string, string>)['Bad Name'] = '';
    (spec.manifests as Record<string, unknown>)['bad.default.configmap'] = { metadata: { name: 'bad' } };
    const result = safeParseKubePkg(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.code).toBe('INVALID_KUBEPKG');
    const paths = result.error.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'spec.version',
        'spec.images["docker.io/x:1"]',
        'spec.images["Bad Name"]',
        'spec.manifests["bad.default.configmap"].apiVersion',
        'spec.manifests["bad.default.configmap"].kind',
      ]),
    );
    expect(result.error.message).toContain('spec.version');
  });

  it('rejects a wrong apiVersion and a non-DNS name', () => {
    const input = demo();
    input.apiVersion = 'octohelm.tech/v1';
    input.metadata = { name: 'Demo_1' };
    const result = safeParseKubePkg(input);
    expect(result.success ? [] : result.error.issues.map((i) => i.path)).toEqual([
      'apiVersion',
      'metadata.name',
    ]);
  });
});

describe('safeParseKubePkgDocument', () => {
  it('accepts a KubePkgList and locates issues inside items', () => {
    const bad = demo();
    (bad.spec as Record<string, unknown>).version = '1';
    const result = safeParseKubePkgDocument({
      apiVersion: KUBEPKG_API_VERSION,
      kind: 'KubePkgList',
      items: [demo(), bad],
    });
    expect(result.success ? [] : result.error.issues.map((i) => i.path)).toEqual(['items[1].spec.version']);
    const ok = safeParseKubePkgDocument({
      apiVersion: KUBEPKG_API_VERSION,
      kind: 'KubePkgList',
      items: [demo()],
    });
    expect(ok.success && ok.data.kind).toBe('KubePkgList');
  });
});

describe('specs written by octohelm kubepkg', () => {
  it('reads nested spec.manifests (octohelm testdata/demo.yaml form) as well as the flat form', () => {
    const input = demo();
    const spec = input.spec as Record<string, unknown>;
    spec.manifests = {
      configMaps: {
        web: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' }, data: { a: '1' } },
      },
      deployments: {
        web: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1 } },
      },
    };
    const result = safeParseKubePkg(input);
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(Object.keys(result.data.spec.manifests).sort()).toEqual(['configMaps.web', 'deployments.web']);
    expect(result.data.spec.manifests['deployments.web']?.kind).toBe('Deployment');
  });

  it('accepts a v-prefixed version such as v0.0.0', () => {
    const input = demo();
    (input.spec as Record<string, unknown>).version = 'v0.0.0';
    expect(safeParseKubePkg(input).success).toBe(true);
  });

  it("reads the original's status.resources shape {apiVersion, kind, metadata: {name}, status}", () => {
    const input = demo();
    input.status = {
      resources: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'default' },
          status: {},
        },
      ],
    };
    const result = safeParseKubePkg(input);
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(result.data.status?.resources).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'default' },
    ]);
  });

  it('refuses v0.2+ spec fields by name and version instead of dropping them', () => {
    const input = demo();
    const spec = input.spec as Record<string, unknown>;
    spec.deploy = { kind: 'Deployment' };
    spec.containers = { web: { image: { name: 'nginx' } } };
    spec.serviceAccount = { scope: 'Namespace' };
    const result = safeParseKubePkg(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.code).toBe('UNSUPPORTED_SPEC');
    expect(result.error.message).toContain('spec.deploy, spec.containers, spec.serviceAccount');
    expect(result.error.message).toContain('v0.2');
  });
});

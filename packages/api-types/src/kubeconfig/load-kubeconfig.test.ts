import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectContext } from './current-context.ts';
import { loadKubeconfig } from './load-kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'hub-kubeconfig-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const one = (name: string, server: string, extra = '') => `apiVersion: v1
kind: Config
clusters: [{ name: ${name}, cluster: { server: ${server}, certificate-authority: ca-${name}.crt } }]
users: [{ name: ${name}, user: { token: t-${name} } }]
contexts: [{ name: ${name}, context: { cluster: ${name}, user: ${name} } }]
${extra}`;
const a = file('a.yaml', one('a', 'https://a:6443', 'current-context: a'));
// b.yaml also defines a cluster "a", which a.yaml (first in the list) has already set.
const b = file(
  'b.yaml',
  `apiVersion: v1
kind: Config
clusters:
  - { name: b, cluster: { server: https://b:6443 } }
  - { name: a, cluster: { server: https://shadowed:6443 } }
users: [{ name: b, user: { token: t-b } }]
contexts: [{ name: b, context: { cluster: b, user: b } }]
current-context: b
`,
);
const home = join(dir, 'home');
mkdirSync(join(home, '.kube'), { recursive: true });
writeFileSync(join(home, '.kube', 'config'), one('h', 'https://home:6443', 'current-context: h'));
const sa = join(dir, 'sa');
mkdirSync(sa);
writeFileSync(join(sa, 'token'), 'sa-token');
writeFileSync(join(sa, 'namespace'), 'hub\n');
const nowhere = join(dir, 'nowhere');
const inCluster = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('loadKubeconfig: kubectl order', () => {
  it('takes --kubeconfig first, even with $KUBECONFIG set', () => {
    const loaded = loadKubeconfig({ path: b, env: { KUBECONFIG: a }, homeDir: home });
    expect(loaded.source).toBe('flag');
    expect(selectContext(loaded.config).cluster.server).toBe('https://b:6443');
  });

  it('refuses a --kubeconfig that does not exist', () => {
    expect(() => loadKubeconfig({ path: join(dir, 'missing'), env: {}, homeDir: home })).toThrow(
      expect.objectContaining({ code: 'KUBECONFIG_NOT_FOUND' }),
    );
  });

  it('merges the $KUBECONFIG list: the first file to set a value wins, missing files are skipped', () => {
    const loaded = loadKubeconfig({
      env: { KUBECONFIG: `${join(dir, 'missing')}:${a}:${b}` },
      homeDir: home,
    });
    expect(loaded.source).toBe('KUBECONFIG');
    expect(loaded.files).toEqual([a, b]);
    expect(loaded.config['current-context']).toBe('a');
    // Cluster "a" from a.yaml wins over b.yaml's; b's own entries are still there.
    expect(selectContext(loaded.config).cluster.server).toBe('https://a:6443');
    expect(selectContext(loaded.config, 'b').cluster.server).toBe('https://b:6443');
  });

  it('resolves relative file references against the file that names them', () => {
    const loaded = loadKubeconfig({ path: a, env: {} });
    expect(selectContext(loaded.config).cluster['certificate-authority']).toBe(join(dir, 'ca-a.crt'));
  });

  it('takes ~/.kube/config when $KUBECONFIG is unset, before in-cluster', () => {
    const loaded = loadKubeconfig({ env: inCluster, homeDir: home, inClusterDir: sa });
    expect(loaded.source).toBe('home');
    expect(selectContext(loaded.config).cluster.server).toBe('https://home:6443');
  });

  it('falls back to the in-cluster ServiceAccount', () => {
    const loaded = loadKubeconfig({ env: inCluster, homeDir: nowhere, inClusterDir: sa });
    expect(loaded.source).toBe('in-cluster');
    const selected = selectContext(loaded.config);
    expect(selected.cluster).toEqual({
      server: 'https://10.0.0.1:443',
      'certificate-authority': join(sa, 'ca.crt'),
    });
    expect(selected.user).toEqual({ tokenFile: join(sa, 'token') });
    expect(selected.namespace).toBe('hub');
  });

  it('says what to do when nothing applies', () => {
    expect(() => loadKubeconfig({ env: {}, homeDir: nowhere, inClusterDir: sa })).toThrow(/--kubeconfig/);
  });
});

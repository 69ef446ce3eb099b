// kubepkg apply's upgrade rule on the real apiserver: a lower version than the installation's is refused unless
// --allow-downgrade, and the applied version again with other content is refused; the inventory records both.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyKubePkg, kubePkgFromManifests } from '@hub/kubepkg';
import type { KubernetesManifest } from '@hub/kubepkg/spec';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.ts';

const env = inject('hubTestEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(env.kubeconfigPath);
const api = KubernetesObjectApi.makeApiClient(kubeConfig);
const namespace = 'upgrade-check';

const settings = (value: string): KubernetesManifest => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings' },
  data: { value },
});
const pkg = (version: string, value: string) =>
  kubePkgFromManifests([settings(value)], { name: 'upgradedemo', version });

async function liveValue(): Promise<string | undefined> {
  const cm = (await api.read({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace },
  })) as { data?: Record<string, string> };
  return cm.data?.value;
}

describe('kubepkg apply upgrade checks', () => {
  it('refuses a downgrade naming both versions, and applies it with --allow-downgrade', async () => {
    await applyKubePkg(pkg('2.0.0', 'two'), { kubeConfig, namespace });
    const refused = (await applyKubePkg(pkg('1.0.0', 'one'), { kubeConfig, namespace }).catch(
      (e: unknown) => e,
    )) as { code?: string; message?: string };
    expect(refused.code).toBe('DOWNGRADE_REFUSED');
    expect(refused.message).toContain('1.0.0');
    expect(refused.message).toContain('2.0.0');
    expect(await liveValue()).toBe('two');

    const dir = await mkdtemp(join(tmpdir(), 'kubepkg-upgrade-'));
    const file = join(dir, 'kubepkg.json');
    await writeFile(file, JSON.stringify(pkg('1.0.0', 'one')));
    const out = { stdout: '', stderr: '' };
    const io = {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      env: {},
      isTTY: false,
    };
    const args = ['apply', file, '--kubeconfig', env.kubeconfigPath, '-n', namespace];
    expect(await runCli(args, io)).toBe(1);
    expect(out.stderr).toContain('DOWNGRADE_REFUSED');
    expect(await runCli([...args, '--allow-downgrade'], io)).toBe(0);
    expect(await liveValue()).toBe('one');
  });

  it('refuses the applied version again with other content, and re-applies the same content', async () => {
    await applyKubePkg(pkg('3.0.0', 'three'), { kubeConfig, namespace });
    await applyKubePkg(pkg('3.0.0', 'three'), { kubeConfig, namespace });
    const changed = (await applyKubePkg(pkg('3.0.0', 'changed'), { kubeConfig, namespace }).catch(
      (e: unknown) => e,
    )) as { code?: string };
    expect(changed.code).toBe('CONTENT_CHANGED');
    expect(await liveValue()).toBe('three');
  });
});

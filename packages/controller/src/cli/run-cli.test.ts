import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedKubeconfig } from '@hub/api-types/kubeconfig';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_FLAGS, WEBHOOK_FLAGS } from './controller-flags.ts';
import { FEATURES } from './features.ts';
import { parseFlags, UsageError } from './flag-table.ts';
import { managerOptionsFromFlags, runCli } from './run-cli.ts';

// A well-formed kubeconfig whose server nobody answers: only flag checks can end a run early.
const kubeconfig = join(mkdtempSync(join(tmpdir(), 'hub-cli-test-')), 'kubeconfig');
writeFileSync(
  kubeconfig,
  'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
);

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env,
      signal: new AbortController().signal,
      isTTY: false,
    },
  };
}

describe('hub-controller flags', () => {
  it('reads HUB_* variables, lets flags win, and applies defaults', () => {
    const { values } = parseFlags(['--webhook-port', '1'], [WEBHOOK_FLAGS, CATALOGUE_FLAGS], {
      HUB_WEBHOOK_PORT: '2',
      HUB_MISSING_ORGANIZATION: 'wait',
    });
    expect(values['webhook-port']).toBe('1');
    expect(values['missing-organization']).toBe('wait');
    expect(values['delete-empty-repositories']).toBe('true');
    expect(values['webhook-url']).toBeUndefined();
  });

  it('finds the kubeconfig in kubectl order: $KUBECONFIG merged, then ~/.kube/config, before in-cluster', () => {
    const home = mkdtempSync(join(tmpdir(), 'hub-cli-home-'));
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), readFileSync(kubeconfig));
    const loaded = (env: Record<string, string>) =>
      managerOptionsFromFlags(
        parseFlags(
          [],
          FEATURES.map((f) => f.flags),
          env,
        ).values,
        env,
      ).kubeConfig as LoadedKubeconfig;
    const inCluster = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    // Before: no flag and no $KUBECONFIG went straight to in-cluster, skipping ~/.kube/config.
    expect(loaded({ HOME: home, ...inCluster }).source).toBe('home');
    // Before: only the first $KUBECONFIG entry was read, so a missing first file was an error.
    const list = loaded({ HOME: home, KUBECONFIG: `${join(home, 'missing')}:${kubeconfig}` });
    expect(list.source).toBe('KUBECONFIG');
    expect(list.files).toEqual([kubeconfig]);
  });

  it('maps --organization-creation onto the policy (default anyone)', () => {
    const policyOf = (argv: string[], env: Record<string, string> = {}) =>
      managerOptionsFromFlags(
        parseFlags(
          ['--kubeconfig', kubeconfig, ...argv],
          FEATURES.map((f) => f.flags),
          env,
        ).values,
        env,
      ).policy;
    expect(policyOf([]).organizationCreation).toBe('anyone');
    expect(policyOf(['--organization-creation', 'group:org-creators']).organizationCreation).toBe(
      'group:org-creators',
    );
    expect(policyOf([], { HUB_ORGANIZATION_CREATION: 'group:admins' }).organizationCreation).toBe(
      'group:admins',
    );
  });

  it('rejects values outside a choice list, from flags and from the environment', () => {
    expect(() => parseFlags(['--missing-organization', 'maybe'], [CATALOGUE_FLAGS], {})).toThrow(UsageError);
    expect(() => parseFlags([], [CATALOGUE_FLAGS], { HUB_DELETE_EMPTY_REPOSITORIES: 'yes' })).toThrow(
      /true, false/,
    );
  });

  it('prints help with every flag of the issue and exits 0', async () => {
    const t = io();
    expect(await runCli(['--help'], t.io)).toBe(0);
    const help = t.out.join('');
    for (const flag of [
      'kubeconfig',
      'install-crds',
      'webhook-port',
      'webhook-cert-dir',
      'webhook-url',
      'metrics-bind-address',
      'health-probe-bind-address',
      'leader-elect',
      'leader-election-namespace',
      'leader-election-id',
      'concurrency',
      'missing-organization',
      'delete-empty-repositories',
      'organization-creation',
      'controller-namespace',
      'user-namespace',
    ]) {
      expect(help).toContain(`--${flag}`);
    }
  });

  it('exits 2 with one line on bad usage, before any work', async () => {
    for (const argv of [
      ['--nope'],
      ['--concurrency', 'many', '--kubeconfig', '/dev/null'],
      ['--webhook-url', 'http://127.0.0.1:9443'],
      ['--metrics-bind-address', 'nowhere'],
      ['--kubeconfig', kubeconfig, '--organization-creation', 'group:'],
      ['--kubeconfig', kubeconfig, '--organization-creation', 'admins'],
      // A feature's own flags are checked before the manager starts (which would dial the cluster).
      ['--kubeconfig', kubeconfig, '--index-registry', 'r:5000', '--index-interval', 'soon'],
      ['--kubeconfig', kubeconfig, '--registry-token-bind-address', ':0', '--registry-token-ttl', 'forever'],
      [
        '--kubeconfig',
        kubeconfig,
        '--registry-token-bind-address',
        ':0',
        '--registry-token-trusted-proxies',
        '10.0.0.0/8,ingress',
      ],
      [
        '--kubeconfig',
        kubeconfig,
        '--registry-token-bind-address',
        ':0',
        '--registry-token-review-cache-ttl',
        '1h',
      ],
    ]) {
      const t = io();
      expect(await runCli(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err.join('')).toMatch(/^hub-controller: [^\n]+\nRun hub-controller --help for usage\.\n$/);
    }
    const t = io();
    expect(await runCli([], t.io)).toBe(2);
    expect(t.err.join('')).toContain('no kubeconfig');
  });
});

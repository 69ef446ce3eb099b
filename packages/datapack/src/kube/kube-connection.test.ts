import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kubeconfig, KubeconfigUser } from '@hub/api-types/kubeconfig';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kubeConnection } from './kube-connection.ts';

const dir = mkdtempSync(join(tmpdir(), 'hub-connection-'));
const config = (user: KubeconfigUser, cluster: Record<string, unknown> = {}): Kubeconfig => ({
  clusters: [{ name: 'c', cluster: { server: 'https://api.example:6443/', ...cluster } }],
  users: [{ name: 'u', user }],
  contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
  'current-context': 'x',
});

afterEach(() => {
  vi.useRealTimers();
});

describe('kubeConnection from a kubeconfig (no client-node)', () => {
  it('takes the server, CA data and TLS options of the current context', async () => {
    const connection = await kubeConnection(
      config(
        { token: 'abc' },
        {
          'certificate-authority-data': Buffer.from('CA').toString('base64'),
          'tls-server-name': 'kubernetes',
          'insecure-skip-tls-verify': true,
        },
      ),
    );
    expect(connection.server).toBe('https://api.example:6443');
    expect(connection.tls).toEqual({
      ca: Buffer.from('CA'),
      rejectUnauthorized: false,
      servername: 'kubernetes',
    });
    expect(await connection.headers()).toEqual({ authorization: 'Bearer abc' });
  });

  it('re-reads a rotating tokenFile, at most every 10 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'first\n');
    const connection = await kubeConnection(config({ tokenFile }));
    expect(await connection.headers()).toEqual({ authorization: 'Bearer first' });
    writeFileSync(tokenFile, 'second\n');
    expect(await connection.headers()).toEqual({ authorization: 'Bearer first' });
    vi.setSystemTime(Date.now() + 10_001);
    expect(await connection.headers()).toEqual({ authorization: 'Bearer second' });
  });

  it('sends basic credentials', async () => {
    const connection = await kubeConnection(config({ username: 'me', password: 'pw' }));
    expect(await connection.headers()).toEqual({
      authorization: `Basic ${Buffer.from('me:pw').toString('base64')}`,
    });
  });

  it('runs an exec credential plugin with KUBERNETES_EXEC_INFO', async () => {
    const script = `const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
      console.log(JSON.stringify({ status: { token: info.kind + '-' + process.env.EXTRA } }));`;
    const connection = await kubeConnection(
      config({
        exec: { command: process.execPath, args: ['-e', script], env: [{ name: 'EXTRA', value: 'x' }] },
      }),
    );
    expect(await connection.headers()).toEqual({ authorization: 'Bearer ExecCredential-x' });
  });

  it('refuses a legacy auth-provider with what to do instead', async () => {
    await expect(kubeConnection(config({ 'auth-provider': { name: 'gcp' } }))).rejects.toMatchObject({
      code: 'KUBECONFIG_UNSUPPORTED',
      message: expect.stringMatching(/exec credential plugin/),
    });
  });
});

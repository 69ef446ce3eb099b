// The token server against the real registry without a cluster in the loop: key rotation, HTTPS, proxies.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig } from '@hub/api-types/kubeconfig';
import { type RegistryTokenServer, startRegistryTokenServer, type TokenAuthenticator } from '@hub/controller';
import { createKubeTransport } from '@hub/datapack';
import { createCertificateAuthority, startRegistry } from '@hub/test-env';
import { decodeProtectedHeader } from 'jose';
import { afterAll, afterEach, expect, inject, it } from 'vitest';

const SERVICE = 'hub-registry-rotation';
// Never used for a request here (the authenticator and the count writer are fakes): the server needs one.
const transport = await createKubeTransport(loadKubeconfig({ path: inject('hubTestEnv').kubeconfigPath }));
// The registry is what is under test here: an admin identity asks for the catalogue, no cluster needed.
const admin: TokenAuthenticator = {
  authenticate: async () => ({ username: 'root', groups: ['system:masters'] }),
};
const cleanups: (() => Promise<void>)[] = [];
afterAll(() => transport.close());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// No sleeps: the activation delay decides which key signs, and a restart with delay 0 signs with the newest key.
async function tokenServer(dir: string, keyActivationDelayMs: number): Promise<RegistryTokenServer> {
  const server = await startRegistryTokenServer({
    bindAddress: '127.0.0.1:0',
    keyDir: join(dir, 'keys'),
    certOut: join(dir, 'bundle.pem'),
    transport,
    cache: { get: () => undefined },
    authenticator: admin,
    keyActivationDelayMs,
    downloadCountWriter: async () => {},
  });
  cleanups.push(() => server.stop());
  return server;
}

async function catalogToken(server: RegistryTokenServer): Promise<{ token: string; kid: string }> {
  const auth = `Basic ${Buffer.from('root:some-token').toString('base64')}`;
  const response = await fetch(`${server.realm}?service=${SERVICE}&scope=registry:catalog:*`, {
    headers: { authorization: auth },
  });
  const { token } = (await response.json()) as { token: string };
  return { token, kid: decodeProtectedHeader(token).kid ?? '' };
}

it('publishes both keys during a rotation, so the registry accepts tokens of the old and of the new key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hub-registry-rotation-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const server = await tokenServer(dir, 3_600_000);
  const oldKid = server.keyRing.signingKey().kid;
  await server.rotateKeys();
  const bundle = await readFile(join(dir, 'bundle.pem'), 'utf8');
  expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);

  const registry = await startRegistry({
    auth: {
      realm: server.realm,
      service: SERVICE,
      issuer: 'hub-token',
      rootCertBundle: join(dir, 'bundle.pem'),
    },
  });
  cleanups.push(() => registry.stop());
  const catalog = (token: string) =>
    fetch(`${registry.url}/v2/_catalog`, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.status,
    );

  const before = await catalogToken(server);
  expect(before.kid).toBe(oldKid);
  expect(await catalog(before.token)).toBe(200);

  // The same key directory, once the new key is active: it signs, and the registry's bundle already has it.
  await server.stop();
  const activated = await tokenServer(dir, 0);
  const after = await catalogToken(activated);
  expect(after.kid).not.toBe(oldKid);
  expect(after.kid).toBe(activated.keyRing.publishedKeys()[1]?.kid);
  expect(await catalog(after.token)).toBe(200);
  // The old key's token still verifies while it lives.
  expect(await catalog(before.token)).toBe(200);
});

it('serves HTTPS when given a certificate, and /healthz', async () => {
  const ca = await createCertificateAuthority('hub-token-test-ca');
  const cert = await ca.issue({ commonName: 'hub-token', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const server = await startRegistryTokenServer({
    bindAddress: '127.0.0.1:0',
    transport,
    cache: { get: () => undefined },
    authenticator: admin,
    downloadCountWriter: async () => {},
    tls: { cert: cert.certPem, key: cert.keyPem },
  });
  cleanups.push(() => server.stop());
  expect(server.realm).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/token$/);
  const get = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpsGet(`${server.url}${path}`, { ca: ca.certPem }, (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      }).on('error', reject);
    });
  expect(await get('/healthz')).toEqual({ status: 200, body: 'ok\n' });
  const answer = await get(`/token?service=${SERVICE}&scope=repository:a/b:pull`);
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body).token).toMatch(/^ey/);
  expect((await get('/other')).status).toBe(404);
});

it('keys the per-client limit on X-Forwarded-For only behind a trusted proxy', async () => {
  const start = (trustedProxies: string[]) =>
    startRegistryTokenServer({
      bindAddress: '127.0.0.1:0',
      transport,
      cache: { get: () => undefined },
      authenticator: admin,
      downloadCountWriter: async () => {},
      trustedProxies,
      rateLimits: { perAddress: { ratePerSecond: 0.001, burst: 1 } },
    });
  const behindIngress = await start(['127.0.0.1']);
  const direct = await start([]);
  cleanups.push(
    () => behindIngress.stop(),
    () => direct.stop(),
  );
  const ask = (server: RegistryTokenServer, client: string) =>
    fetch(`${server.realm}?service=${SERVICE}&scope=repository:a/b:pull`, {
      headers: { 'x-forwarded-for': client },
    }).then((r) => r.status);
  expect(await ask(behindIngress, '198.51.100.1')).toBe(200);
  expect(await ask(behindIngress, '198.51.100.1')).toBe(429);
  expect(await ask(behindIngress, '198.51.100.2')).toBe(200);
  // Not behind a trusted proxy: the header is ignored, the loopback peer is the one client.
  expect(await ask(direct, '198.51.100.1')).toBe(200);
  expect(await ask(direct, '198.51.100.2')).toBe(429);
});

it('limits failed logins per address and username: 60 for one user never lock out another at that address', async () => {
  const users: Record<string, { username: string; groups: string[] }> = {
    'a-token': { username: 'user-a', groups: [] },
    'b-token': { username: 'user-b', groups: [] },
  };
  // The default limits, behind an Ingress trusted by its CIDR.
  const server = await startRegistryTokenServer({
    bindAddress: '127.0.0.1:0',
    transport,
    cache: { get: () => undefined },
    authenticator: { authenticate: async (token) => users[token] },
    downloadCountWriter: async () => {},
    trustedProxies: ['127.0.0.0/8'],
  });
  cleanups.push(() => server.stop());
  const login = (user: string, password: string, client: string) =>
    fetch(`${server.realm}?service=${SERVICE}&scope=repository:a/b:pull`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        'x-forwarded-for': client,
      },
    });
  const failed = await Promise.all(
    Array.from({ length: 60 }, (_, i) => login('user-a', `guess-${i}`, '198.51.100.7').then((r) => r.status)),
  );
  expect(failed.filter((status) => status === 401)).toHaveLength(10);
  expect(failed.filter((status) => status === 429)).toHaveLength(50);

  expect((await login('user-b', 'b-token', '198.51.100.7')).status).toBe(200);
  const limited = await login('user-a', 'a-token', '198.51.100.7');
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await login('user-a', 'a-token', '198.51.100.8')).status).toBe(200);
});

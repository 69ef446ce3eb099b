import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig } from '@hub/api-types/kubeconfig';
import {
  createRegistryTokenHandler,
  createTokenReviewAuthenticator,
  kubernetesDownloadCountWriter,
  openKeyRing,
  type RegistryTokenEvent,
  type RegistryTokenServer,
  startRegistryTokenServer,
  type TokenAuthenticator,
} from '@hub/controller';
import {
  createKubeTransport,
  deleteRegistryManifest,
  isDataPackError,
  type KubeRequestRecord,
  type KubeTransport,
} from '@hub/datapack';
import { type Registry, startRegistry } from '@hub/test-env';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createCatalogueObject,
  deleteCatalogueObject,
  getRepositoryStatus,
  serviceAccountTokens,
  skopeo,
  snapshotCache,
  uniqueName,
} from './registry-auth-helpers.ts';

const SERVICE = 'hub-registry-test';
const env = inject('hubTestEnv');
const kc = new KubeConfig();
kc.loadFromFile(env.kubeconfigPath);

const namespace = uniqueName('ra-users-');
const org = uniqueName('raorg');
const cache = snapshotCache(kc);
const events: RegistryTokenEvent[] = [];
let writes = 0;
let tokens: Record<'alice' | 'bob', string>;
let dir: string;
let server: RegistryTokenServer;
let registry: Registry;
// The one transport of the token server, as the manager's would be: every TokenReview and status write is counted.
let transport: KubeTransport;
const requests: KubeRequestRecord[] = [];
const source = env.fixtures.images['oci-single'].reference;

const ref = (repo: string) => `docker://${registry.host}/${org}/${repo}`;
// skopeo splits --creds at the first ":", so it sends the ServiceAccount's short name (the user namespace's form).
const creds = (user: 'alice' | 'bob') => `${user}:${tokens[user]}`;
const push = (user: 'alice' | 'bob', repo: string) =>
  skopeo([
    'copy',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--dest-creds',
    creds(user),
    `docker://${source}`,
    ref(repo),
  ]);
const pull = (user: 'alice' | 'bob' | 'anonymous', repo: string) =>
  skopeo([
    'inspect',
    '--tls-verify=false',
    ...(user === 'anonymous' ? ['--no-creds'] : ['--creds', creds(user)]),
    ref(repo),
  ]);
const tokenUrl = (scope: string, service = SERVICE) =>
  `${server.realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(scope)}`;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const tagsWith = (token: string, repo: string) =>
  fetch(`${registry.url}/v2/${org}/${repo}/tags/list`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-registry-auth-'));
  tokens = await serviceAccountTokens(kc, namespace, ['alice', 'bob']);
  await createCatalogueObject(kc, 'organizations', {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'Organization',
    metadata: { name: org },
    spec: { name: org, creator: 'alice', manager: [] },
  });
  for (const [repo, isPrivate] of [
    ['public', false],
    ['private', true],
  ] as const) {
    await createCatalogueObject(kc, 'repositories', {
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Repository',
      metadata: { name: `${org}.${repo}` },
      spec: { name: `${org}/${repo}`, isPrivate },
    });
  }
  await cache.refresh();
  transport = await createKubeTransport(loadKubeconfig({ path: env.kubeconfigPath }));
  transport.onRequest((record) => requests.push(record));
  const writer = kubernetesDownloadCountWriter(transport);
  server = await startRegistryTokenServer({
    bindAddress: '127.0.0.1:0',
    keyDir: join(dir, 'keys'),
    certOut: join(dir, 'bundle.pem'),
    services: [SERVICE],
    transport,
    cache,
    userNamespace: namespace,
    // Flushed by hand below, so counts are exact.
    downloadCountIntervalMs: 3_600_000,
    downloadCountWriter: async (name, delta) => {
      writes++;
      await writer(name, delta);
    },
    log: (event) => {
      if (event.type !== 'error') events.push(event);
    },
  });
  registry = await startRegistry({
    auth: {
      realm: server.realm,
      service: SERVICE,
      issuer: 'hub-token',
      rootCertBundle: join(dir, 'bundle.pem'),
    },
  });
  // Seed the public and private repositories as their manager.
  for (const repo of ['public', 'private']) {
    const pushed = await push('alice', repo);
    expect(pushed.stderr).toBe('');
  }
});

afterAll(async () => {
  await registry?.stop();
  await server?.stop();
  await transport?.close();
  // The control plane is shared with other packages' tests: leave no catalogue objects behind.
  await deleteCatalogueObject(kc, 'repositories', `${org}.public`);
  await deleteCatalogueObject(kc, 'repositories', `${org}.private`);
  await deleteCatalogueObject(kc, 'organizations', org);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('registry token auth against the real registry, apiserver and skopeo', () => {
  it('lets a manager push and pull, also into a repository that has no Repository object yet', async () => {
    expect((await push('alice', 'fresh')).ok).toBe(true);
    expect((await pull('alice', 'fresh')).ok).toBe(true);
    expect((await pull('alice', 'private')).ok).toBe(true);
  });

  it('lets a non-manager pull a public repository but not push', async () => {
    expect((await pull('bob', 'public')).ok).toBe(true);
    const pushed = await push('bob', 'public');
    expect(pushed.ok).toBe(false);
    expect(pushed.stderr).toMatch(/unauthorized|denied|authentication required/i);
  });

  it('keeps a private repository invisible to a non-manager and to anonymous', async () => {
    expect((await pull('bob', 'private')).ok).toBe(false);
    expect((await pull('anonymous', 'private')).ok).toBe(false);
    expect((await pull('anonymous', 'public')).ok).toBe(true);
    // A repository without a Repository object is not public either.
    expect((await pull('anonymous', 'fresh')).ok).toBe(false);
  });

  it('lets a manager delete a manifest through the token realm (the hub handler’s tag delete), not others', async () => {
    expect((await push('alice', 'doomed')).ok).toBe(true);
    const registryOptions = { url: registry.url };
    // The handler sends the session's username and Kubernetes token, exactly as here.
    const as = (user: 'alice' | 'bob') => ({
      username: `system:serviceaccount:${namespace}:${user}`,
      password: tokens[user],
    });
    const refused = await deleteRegistryManifest(registryOptions, `${org}/doomed`, 'latest', as('bob')).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isDataPackError(refused) && `${refused.code}: ${refused.message}`).toMatch(/^FORBIDDEN:/);
    expect((await pull('alice', 'doomed')).ok).toBe(true);
    expect(await deleteRegistryManifest(registryOptions, `${org}/doomed`, 'latest', as('alice'))).toBe(true);
    const gone = await pull('alice', 'doomed');
    expect(gone.ok).toBe(false);
    expect(gone.stderr).toMatch(/manifest unknown|not found/i);
    expect(await deleteRegistryManifest(registryOptions, `${org}/doomed`, 'latest', as('alice'))).toBe(false);
  });

  it('has the registry refuse tampered, expired, wrong-audience and foreign-key tokens', async () => {
    const scope = `repository:${org}/public:pull`;
    const good = (await (await fetch(tokenUrl(scope))).json()) as { token: string };
    expect((await tagsWith(good.token, 'public')).status).toBe(200);

    const [header, payload, signature] = good.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.access = [{ type: 'repository', name: `${org}/private`, actions: ['pull'] }];
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect((await tagsWith(tampered, 'private')).status).toBe(401);

    const anonymous: TokenAuthenticator = { authenticate: async () => undefined };
    const base = {
      keyRing: server.keyRing,
      authenticator: anonymous,
      cache,
      userNamespace: namespace,
    };
    // Issued 10 minutes ago with a 5-minute lifetime: past distribution's 60 s leeway.
    const stale = createRegistryTokenHandler({ ...base, now: () => new Date(Date.now() - 600_000) });
    const expired = (await (await stale(new Request(tokenUrl(scope)))).json()) as { token: string };
    expect((await tagsWith(expired.token, 'public')).status).toBe(401);

    const other = createRegistryTokenHandler(base);
    const wrongAudience = (await (await other(new Request(tokenUrl(scope, 'another-registry')))).json()) as {
      token: string;
    };
    expect((await tagsWith(wrongAudience.token, 'public')).status).toBe(401);

    const foreignRing = await openKeyRing({ issuer: 'hub-token', tokenTtlMs: 300_000 });
    const foreign = createRegistryTokenHandler({ ...base, keyRing: foreignRing });
    const foreignToken = (await (await foreign(new Request(tokenUrl(scope)))).json()) as { token: string };
    expect((await tagsWith(foreignToken.token, 'public')).status).toBe(401);
  });

  it('answers a bad password or a kubeconfig with 401 and leaks nothing', async () => {
    const secret = `${tokens.bob.slice(0, -6)}xxxxxx`;
    const response = await fetch(tokenUrl(`repository:${org}/public:pull`), {
      headers: { authorization: basic('bob-the-user', secret) },
    });
    const body = await response.text();
    expect(response.status).toBe(401);
    expect(body).not.toContain(secret);
    expect(body).not.toContain('bob-the-user');
    const denied = events.filter((e) => e.type === 'denied' && e.reason === 'invalid-credentials');
    expect(denied.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(secret);

    const kubeconfig = `apiVersion: v1\nkind: Config\nusers:\n- name: x\n  user:\n    token: ${tokens.alice}\n`;
    const asKubeconfig = await fetch(tokenUrl(`repository:${org}/public:pull`), {
      headers: { authorization: basic('alice', kubeconfig) },
    });
    const kubeconfigBody = await asKubeconfig.text();
    expect(asKubeconfig.status).toBe(401);
    expect(kubeconfigBody).toContain('not a kubeconfig');
    expect(kubeconfigBody).not.toContain(tokens.alice);

    const qualified = await fetch(tokenUrl(`repository:${org}/public:pull`), {
      headers: { authorization: basic(`${namespace}/bob`, tokens.bob) },
    });
    expect(qualified.status).toBe(200);

    const mismatched = await fetch(tokenUrl(`repository:${org}/public:pull`), {
      headers: { authorization: basic('bob', tokens.alice) },
    });
    expect(mismatched.status).toBe(401);

    const viaSkopeo = await skopeo([
      'inspect',
      '--tls-verify=false',
      '--creds',
      `bob:${secret}`,
      ref('public'),
    ]);
    expect(viaSkopeo.ok).toBe(false);
    expect(viaSkopeo.stderr).not.toContain(secret);
  });

  it('reviews tokens with the real TokenReview API, audiences included', async () => {
    const review = createTokenReviewAuthenticator({ transport });
    expect(await review.authenticate(tokens.alice)).toMatchObject({
      username: `system:serviceaccount:${namespace}:alice`,
    });
    expect((await review.authenticate(tokens.alice))?.groups).toContain(
      `system:serviceaccounts:${namespace}`,
    );
    expect(await review.authenticate(`${tokens.alice.slice(0, -4)}AAAA`)).toBeUndefined();

    // A token minted for the registry only is refused by the apiserver's own audiences, and the other way round.
    const minted = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name: 'alice',
      namespace,
      body: { spec: { audiences: ['hub-registry'], expirationSeconds: 600 } },
    });
    const registryOnly = minted.status?.token ?? '';
    const withAudience = createTokenReviewAuthenticator({ transport, audiences: ['hub-registry'] });
    expect((await withAudience.authenticate(registryOnly))?.username).toBe(
      `system:serviceaccount:${namespace}:alice`,
    );
    expect(await withAudience.authenticate(tokens.alice)).toBeUndefined();
    expect(await review.authenticate(registryOnly)).toBeUndefined();
  });

  it('raises downloadCount for granted pulls, one status write per repository per batch', async () => {
    await server.downloadCounter.flush();
    const before = (await getRepositoryStatus(kc, `${org}.public`))?.downloadCount ?? 0;
    const writesBefore = writes;
    for (let i = 0; i < 3; i++) {
      expect((await fetch(tokenUrl(`repository:${org}/public:pull`))).status).toBe(200);
    }
    // A push token (pull,push) is not a download; a refused pull is not either.
    await fetch(tokenUrl(`repository:${org}/public:pull,push`), {
      headers: { authorization: basic('alice', tokens.alice) },
    });
    await fetch(tokenUrl(`repository:${org}/private:pull`));
    await server.downloadCounter.flush();
    expect(writes - writesBefore).toBe(1);
    expect((await getRepositoryStatus(kc, `${org}.public`))?.downloadCount).toBe(before + 3);
    expect((await getRepositoryStatus(kc, `${org}.private`))?.downloadCount ?? 0).toBe(
      events.filter((e) => e.type === 'issued' && e.scopes.includes(`repository:${org}/private:pull`)).length,
    );

    expect((await pull('anonymous', 'public')).ok).toBe(true);
    await server.downloadCounter.flush();
    expect((await getRepositoryStatus(kc, `${org}.public`))?.downloadCount).toBeGreaterThan(before + 3);
  });

  it('sends TokenReviews and downloadCount writes through its one transport, where they are counted', () => {
    const paths = requests.filter((r) => r.status > 0).map((r) => `${r.verb} ${r.path}`);
    expect(paths).toContain('create /apis/authentication.k8s.io/v1/tokenreviews');
    expect(paths).toContain(`patch /apis/imagehub.sealos.io/v1/repositories/${org}.public/status`);
  });
});

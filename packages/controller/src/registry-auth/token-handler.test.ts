import type { Organization, Repository } from '@hub/api-types';
import type { CatalogueKind } from '@hub/reconcilers';
import { decodeJwt, importX509, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RegistryAuthCache } from './authorize.ts';
import type { DownloadCounter } from './download-counter.ts';
import { RegistryAuthError } from './errors.ts';
import type { RegistryIdentity } from './identity.ts';
import { type KeyRing, openKeyRing } from './key-ring.ts';
import {
  createRegistryTokenHandler,
  type RegistryTokenEvent,
  type RegistryTokenHandlerOptions,
} from './token-handler.ts';

const objects = [
  { kind: 'Organization', metadata: { name: 'acme' }, spec: { name: 'acme', creator: 'alice' } },
  { kind: 'Repository', metadata: { name: 'acme.app' }, spec: { name: 'acme/app', isPrivate: false } },
] as unknown as (Organization | Repository)[];
const cache: RegistryAuthCache = {
  get: (kind: CatalogueKind, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name) as never,
};
const TOKENS: Record<string, RegistryIdentity> = {
  'alice-token': { username: 'system:serviceaccount:user-system:alice', groups: [] },
  'dev-token': { username: 'dev@example.com', groups: [] },
};
let ring: KeyRing;
beforeAll(async () => {
  ring = await openKeyRing({ issuer: 'hub-token', tokenTtlMs: 300_000 });
});

function setup(overrides: Partial<RegistryTokenHandlerOptions> = {}) {
  const events: RegistryTokenEvent[] = [];
  const reviewed: string[] = [];
  const downloads: string[] = [];
  const counter: DownloadCounter = {
    record: (name) => void downloads.push(name),
    flush: async () => {},
    pending: () => new Map(),
    stop: async () => {},
  };
  const handler = createRegistryTokenHandler({
    keyRing: ring,
    cache,
    authenticator: {
      async authenticate(token) {
        reviewed.push(token);
        if (token === 'explode')
          throw new RegistryAuthError('TOKEN_REVIEW_FAILED', 'down', { retryable: true });
        return TOKENS[token];
      },
    },
    services: ['hub-registry'],
    downloadCounter: counter,
    log: (event) => void events.push(event),
    ...overrides,
  });
  const get = (query: string, auth?: [string, string], address = '10.0.0.1') =>
    handler(
      new Request(`http://localhost/token?${query}`, {
        headers: auth
          ? { authorization: `Basic ${Buffer.from(`${auth[0]}:${auth[1]}`).toString('base64')}` }
          : {},
      }),
      { clientAddress: address },
    );
  return { handler, get, events, reviewed, downloads };
}

const PULL_PUSH = 'service=hub-registry&scope=repository:acme/app:pull,push';

describe('createRegistryTokenHandler', () => {
  it('answers the distribution token shape with a verifiable JWT holding only granted scopes', async () => {
    const { get, downloads } = setup();
    const response = await get(`${PULL_PUSH}&scope=registry:catalog:*`, ['alice', 'alice-token']);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.token).toBe(body.access_token);
    expect(body.expires_in).toBe(300);
    expect(Date.parse(String(body.issued_at))).not.toBeNaN();
    const key = await importX509(ring.signingKey().certificatePem, 'ES256');
    const { payload } = await jwtVerify(String(body.token), key, {
      issuer: 'hub-token',
      audience: 'hub-registry',
    });
    expect(payload.sub).toBe('system:serviceaccount:user-system:alice');
    expect(payload.jti).toBeTruthy();
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.access).toEqual([{ type: 'repository', name: 'acme/app', actions: ['pull', 'push'] }]);
    expect(downloads).toEqual([]);
  });

  it('gives anonymous requests public pulls only, and counts them', async () => {
    const { get, downloads, reviewed } = setup();
    const body = (await (await get(PULL_PUSH)).json()) as { token: string };
    expect(decodeJwt(body.token).access).toEqual([
      { type: 'repository', name: 'acme/app', actions: ['pull'] },
    ]);
    expect(decodeJwt(body.token).sub).toBe('');
    expect(downloads).toEqual([]);
    await get('service=hub-registry&scope=repository:acme/app:pull');
    expect(downloads).toEqual(['acme.app']);
    expect(reviewed).toEqual([]);
  });

  it('matches the username: full name, namespace/name, bare name in the user namespace; or ignores it', async () => {
    const { get } = setup();
    expect((await get(PULL_PUSH, ['user-system/alice', 'alice-token'])).status).toBe(200);
    expect((await get(PULL_PUSH, ['dev@example.com', 'dev-token'])).status).toBe(200);
    const wrong = await get(PULL_PUSH, ['mallory', 'alice-token']);
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('mallory');
    expect((await get(PULL_PUSH, ['other-ns/alice', 'alice-token'])).status).toBe(401);
    const lax = setup({ usernameCheck: 'ignore' });
    expect((await lax.get(PULL_PUSH, ['anything', 'alice-token'])).status).toBe(200);
  });

  it('refuses bad credentials with 401, never echoing them, and logs the failure without the password', async () => {
    const { get, events } = setup();
    for (const [user, password, text] of [
      ['alice', 'wrong-secret-123', 'not accepted'],
      ['alice', '', 'empty'],
      ['alice', 'apiVersion: v1\nclusters: []', 'not a kubeconfig'],
      ['alice', '{"apiVersion":"v1","users":[]}', 'not a kubeconfig'],
    ] as const) {
      const response = await get(PULL_PUSH, [user, password]);
      const body = await response.text();
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="hub-token"');
      expect(body).toContain(text);
      if (password) expect(body).not.toContain(password);
    }
    const bearer = await setup().handler(
      new Request(`http://localhost/token?${PULL_PUSH}`, { headers: { authorization: 'Bearer abc.def' } }),
    );
    expect(bearer.status).toBe(401);
    await get(PULL_PUSH, ['eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'whatever']);
    const logged = JSON.stringify(events);
    expect(logged).not.toContain('eyJhbGciOiJFUzI1NiJ9');
    expect(logged).toContain('invalid-credentials');
    expect(logged).toContain('kubeconfig-password');
    expect(logged).not.toContain('wrong-secret-123');
  });

  it('never sends a kubeconfig to the TokenReview API', async () => {
    const { get, reviewed } = setup();
    await get(PULL_PUSH, ['alice', 'apiVersion: v1\nkind: Config']);
    expect(reviewed).toEqual([]);
  });

  it('answers 400 for an unknown service or a malformed scope, 405 for other methods', async () => {
    const { get, handler } = setup();
    expect((await get('service=elsewhere&scope=repository:acme/app:pull')).status).toBe(400);
    expect((await get('scope=repository:acme/app:pull')).status).toBe(400);
    const bad = await get('service=hub-registry&scope=repository:acme/app');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('type:name:actions');
    const post = await handler(new Request('http://localhost/token', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('answers 503 with Retry-After when the TokenReview API fails', async () => {
    const { get } = setup();
    const response = await get(PULL_PUSH, ['alice', 'explode']);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
  });

  it('answers 500 with a code, and logs it, when something unexpected breaks', async () => {
    const broken: KeyRing = {
      ...ring,
      signingKey: () => {
        throw new Error('disk on fire');
      },
    };
    const { get, events } = setup({ keyRing: broken });
    const response = await get(PULL_PUSH);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('INTERNAL');
    expect(events).toContainEqual({
      type: 'error',
      message: 'unexpected error: disk on fire',
      code: 'INTERNAL',
    });
  });

  it('rate-limits per client address and per user with 429 and Retry-After', async () => {
    const perAddress = setup({
      rateLimits: { perAddress: { ratePerSecond: 0.5, burst: 2 }, perUser: false },
    });
    expect((await perAddress.get(PULL_PUSH)).status).toBe(200);
    expect((await perAddress.get(PULL_PUSH)).status).toBe(200);
    const limited = await perAddress.get(PULL_PUSH);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await perAddress.get(PULL_PUSH, undefined, '10.0.0.2')).status).toBe(200);

    const perUser = setup({ rateLimits: { perAddress: false, perUser: { ratePerSecond: 1, burst: 1 } } });
    expect((await perUser.get(PULL_PUSH, ['alice', 'alice-token'], 'a')).status).toBe(200);
    expect((await perUser.get(PULL_PUSH, ['alice', 'alice-token'], 'b')).status).toBe(429);
    expect((await perUser.get(PULL_PUSH, ['dev@example.com', 'dev-token'], 'b')).status).toBe(200);
  });

  it('stops reviewing passwords from an address after too many failures', async () => {
    const { get, reviewed } = setup({
      rateLimits: {
        perAddress: false,
        perUser: false,
        failuresPerAddress: { ratePerSecond: 0.01, burst: 2 },
      },
    });
    expect((await get(PULL_PUSH, ['alice', 'guess-1'])).status).toBe(401);
    expect((await get(PULL_PUSH, ['alice', 'guess-2'])).status).toBe(401);
    expect((await get(PULL_PUSH, ['alice', 'alice-token'])).status).toBe(429);
    expect(reviewed).toEqual(['guess-1', 'guess-2']);
    // Anonymous pulls from that address still work.
    expect((await get(PULL_PUSH)).status).toBe(200);
  });

  it("limits failed logins per address and username: one user's failures never lock out another at that address", async () => {
    // The default limits, as hub-controller runs them.
    const { get, reviewed } = setup({ rateLimits: {} });
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => get(PULL_PUSH, ['dev@example.com', `guess-${i}`])),
    );
    expect(answers.filter((r) => r.status === 401)).toHaveLength(10);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(50);
    expect(reviewed).toHaveLength(10);
    // Alice, at the same address, logs in; the guessed name waits, even with its right token.
    expect((await get(PULL_PUSH, ['alice', 'alice-token'])).status).toBe(200);
    expect((await get(PULL_PUSH, ['dev@example.com', 'dev-token'])).status).toBe(429);
    expect((await get(PULL_PUSH, ['dev@example.com', 'dev-token'], '10.0.0.2')).status).toBe(200);
    expect((await get(PULL_PUSH)).status).toBe(200);
  });

  it('keys requests without a username on the address alone', async () => {
    const { handler, get, reviewed } = setup({
      rateLimits: { perUser: false, failuresPerClient: { ratePerSecond: 0.01, burst: 2 } },
    });
    const bearer = () =>
      handler(
        new Request(`http://localhost/token?${PULL_PUSH}`, { headers: { authorization: 'Bearer abc.def' } }),
        { clientAddress: '10.0.0.1' },
      );
    expect((await bearer()).status).toBe(401);
    expect((await bearer()).status).toBe(401);
    expect((await get(PULL_PUSH, ['', 'alice-token'])).status).toBe(429);
    expect(reviewed).toEqual([]);
    expect((await get(PULL_PUSH, ['alice', 'alice-token'])).status).toBe(200);

    const anonymous = setup({ rateLimits: { perAddress: { ratePerSecond: 0.01, burst: 2 } } });
    expect((await anonymous.get(PULL_PUSH, ['alice', 'wrong'])).status).toBe(401);
    expect((await anonymous.get(PULL_PUSH, ['alice', 'wrong'])).status).toBe(401);
    expect((await anonymous.get(PULL_PUSH, ['alice', 'alice-token'])).status).toBe(429);
    expect((await anonymous.get(PULL_PUSH)).status).toBe(200);
    expect((await anonymous.get(PULL_PUSH)).status).toBe(200);
    expect((await anonymous.get(PULL_PUSH)).status).toBe(429);
    expect((await anonymous.get(PULL_PUSH, ['dev@example.com', 'dev-token'])).status).toBe(200);
  });

  it('spends a global failure budget: then only names that failed lately wait, clean ones are reviewed', async () => {
    const { get } = setup({
      rateLimits: { failureBudget: { ratePerSecond: 0.01, burst: 3 } },
    });
    for (const name of ['u1', 'u2', 'u3']) {
      expect((await get(PULL_PUSH, [name, 'guess'], '10.0.0.9')).status).toBe(401);
    }
    const waiting = await get(PULL_PUSH, ['u1', 'guess'], '10.0.0.1');
    expect(waiting.status).toBe(401);
    expect((await get(PULL_PUSH, ['u1', 'guess'], '10.0.0.1')).status).toBe(429);
    expect((await get(PULL_PUSH, ['u2', 'guess'], '10.0.0.9')).status).toBe(429);
    expect((await get(PULL_PUSH, ['alice', 'alice-token'], '10.0.0.9')).status).toBe(200);
  });
});

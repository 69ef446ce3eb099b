import { describe, expect, it } from 'vitest';
import { sampleCatalogue } from '../__fixtures__/objects.ts';
import { createHubHandler, createHubSessions, type TokenAuthenticator } from '../index.ts';

const base = 'http://hub.test/api/hub';
const SECRET = 'a-session-secret-of-at-least-32-characters';
// carol manages acme (private acme/cache); dave manages nothing.
const USERS: Record<string, { username: string; groups: string[] }> = {
  'carol-token': { username: 'carol', groups: ['system:authenticated'] },
  'dave-token': { username: 'dave', groups: ['system:authenticated'] },
};

function setup(logged: string[] = []) {
  const reviews: string[] = [];
  const authenticator: TokenAuthenticator = {
    async authenticate(token) {
      reviews.push(token);
      return USERS[token];
    },
  };
  const handler = createHubHandler({
    catalogue: sampleCatalogue(),
    basePath: '/api/hub',
    sessions: createHubSessions({ secret: SECRET, authenticator }),
    onError: (error) => logged.push(String(error)),
  });
  return { handler, reviews };
}

async function signIn(
  handler: (r: Request) => Promise<Response>,
  token: string,
  headers: Record<string, string> = {},
) {
  return handler(
    new Request(`${base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ token }),
    }),
  );
}

function cookieOf(response: Response): string {
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

describe('createHubHandler sessions', () => {
  it('signs in with a token: an HttpOnly, SameSite=Lax cookie that does not hold the token in clear', async () => {
    const { handler } = setup();
    const response = await signIn(handler, 'carol-token');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { user: string; groups: string[] };
    expect(body).toMatchObject({ user: 'carol', groups: ['system:authenticated'] });
    expect(JSON.stringify(body)).not.toContain('carol-token');
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^hub_session=v1\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    expect(setCookie).not.toContain('carol-token');
    const secure = await signIn(
      async (r) => handler(new Request(r.url.replace('http:', 'https:'), r)),
      'carol-token',
    );
    expect(secure.headers.get('set-cookie')).toMatch(/; Secure$/);

    const who = await handler(new Request(`${base}/session`, { headers: { cookie: cookieOf(response) } }));
    expect(who.status).toBe(200);
    expect(await who.json()).toMatchObject({ user: 'carol' });
  });

  it('answers 401 for a bad token, a missing or forged cookie, and logs nothing holding the token', async () => {
    const logged: string[] = [];
    const { handler } = setup(logged);
    const bad = await signIn(handler, 'stolen-secret-token');
    expect(bad.status).toBe(401);
    const text = await bad.text();
    expect(text).not.toContain('stolen-secret-token');
    expect(JSON.parse(text).error.code).toBe('UNAUTHENTICATED');
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect((await handler(new Request(`${base}/session`))).status).toBe(401);
    const forged = await handler(
      new Request(`${base}/session`, { headers: { cookie: 'hub_session=v1.AAAA' } }),
    );
    expect(forged.status).toBe(401);
    const malformed = await handler(
      new Request(`${base}/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"token": 7}',
      }),
    );
    expect(((await malformed.json()) as { error: { field: string } }).error.field).toBe('token');
    expect(logged.join('\n')).not.toContain('stolen-secret-token');
  });

  it('re-checks the token on every request: a revoked token ends the session', async () => {
    const { handler, reviews } = setup();
    const cookie = cookieOf(await signIn(handler, 'dave-token'));
    delete USERS['dave-token'];
    try {
      const who = await handler(new Request(`${base}/session`, { headers: { cookie } }));
      expect(who.status).toBe(401);
      expect(reviews.filter((t) => t === 'dave-token')).toHaveLength(2);
    } finally {
      USERS['dave-token'] = { username: 'dave', groups: ['system:authenticated'] };
    }
  });

  it('signs out with an expired cookie', async () => {
    const { handler } = setup();
    const out = await handler(new Request(`${base}/session`, { method: 'DELETE' }));
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toBe('hub_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
  });

  it('refuses a sign-in from another origin with 403', async () => {
    const { handler } = setup();
    const response = await signIn(handler, 'carol-token', { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('shows private repositories to the users the access rule lets pull them, and no one else', async () => {
    const { handler } = setup();
    const names = async (cookie?: string) =>
      (
        (await (
          await handler(new Request(`${base}/repositories?org=acme`, { headers: cookie ? { cookie } : {} }))
        ).json()) as { items: { name: string }[] }
      ).items.map((item) => item.name);
    const carol = cookieOf(await signIn(handler, 'carol-token'));
    const dave = cookieOf(await signIn(handler, 'dave-token'));
    expect(await names(carol)).toEqual(['acme/cache', 'acme/empty']);
    expect(await names(dave)).toEqual(['acme/empty']);
    expect(await names()).toEqual(['acme/empty']);
    const detail = await handler(
      new Request(`${base}/repositories/acme/cache`, { headers: { cookie: carol } }),
    );
    expect(detail.status).toBe(200);
    expect(detail.headers.get('cache-control')).toBe('private, no-cache');
  });
});

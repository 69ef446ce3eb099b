import { text } from 'node:stream/consumers';
import { RegistryAuth } from '@hub/image-save/auth';
import { MediaType, parseManifest, RegistryClient, RegistryError } from '@hub/image-save/registry';
import { digestBytes } from '@hub/image-save/storage';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let agent: MockAgent;
const host = 'reg.example.test';
const origin = `https://${host}`;
const manifest = new TextEncoder().encode(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: `sha256:${'a'.repeat(64)}`, size: 2 },
    layers: [],
  }),
);
const digest = digestBytes(manifest);
const loc = { registry: host, repository: 'team/app' };

function client(extra: ConstructorParameters<typeof RegistryClient>[0] = {}) {
  return new RegistryClient({
    dispatcher: agent,
    auth: false,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...extra,
  });
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
});
afterEach(async () => {
  await agent.close();
});

describe('RegistryClient manifests', () => {
  it('fetches manifests byte-exact with OCI and Docker Accept types', async () => {
    agent
      .get(origin)
      .intercept({
        path: '/v2/team/app/manifests/v1',
        method: 'GET',
        headers: {
          accept: (v: string) => v.includes(MediaType.OciIndex) && v.includes(MediaType.DockerManifest),
        },
      })
      .reply(200, Buffer.from(manifest), {
        headers: {
          'content-type': MediaType.OciManifest,
          'docker-content-digest': digest,
          'content-length': String(manifest.byteLength),
        },
      });
    const m = await client().getManifest(loc, 'v1');
    expect(m.digest).toBe(digest);
    expect(m.bytes).toEqual(manifest);
    expect(parseManifest(m.bytes).kind).toBe('manifest');
  });

  it('rejects a manifest whose bytes do not match Docker-Content-Digest, after the bounded tries', async () => {
    agent
      .get(origin)
      .intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' })
      .reply(200, Buffer.from(manifest), {
        headers: { 'docker-content-digest': `sha256:${'b'.repeat(64)}` },
      })
      .times(3);
    await expect(
      client({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }).getManifest(loc, 'v1'),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH', attempts: 3 });
  });

  it('computes the digest with the algorithm of a sha512 reference', async () => {
    const sha512 = digestBytes(manifest, 'sha512');
    agent
      .get(origin)
      .intercept({ path: `/v2/team/app/manifests/${sha512}`, method: 'GET' })
      .reply(200, Buffer.from(manifest), { headers: { 'content-type': MediaType.OciManifest } });
    const m = await client().getManifest(loc, sha512);
    expect(m.digest).toBe(sha512);
  });

  it('retries a manifest body cut mid-transfer and reports the retry', async () => {
    const pool = agent.get(origin);
    // The first answer announces the full length but delivers half: a connection cut mid-body.
    pool
      .intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' })
      .reply(200, Buffer.from(manifest.subarray(0, 40)), {
        headers: { 'content-length': String(manifest.byteLength), 'docker-content-digest': digest },
      });
    pool
      .intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' })
      .reply(200, Buffer.from(manifest), { headers: { 'docker-content-digest': digest } });
    const retries: string[] = [];
    const m = await client({ onRetry: (r) => retries.push(`${r.reference} ${r.error.code}`) }).getManifest(
      loc,
      'v1',
    );
    expect(m.digest).toBe(digest);
    expect(retries.length).toBe(1);
    expect(retries[0]).toMatch(/^v1 (SIZE_MISMATCH|NETWORK)$/);
  });

  it('retries a token service that answers 503, through the same retry path', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' }).reply(401, '', {
      headers: { 'www-authenticate': `Bearer realm="${origin}/token",service="reg"` },
    });
    pool.intercept({ path: (p: string) => p.startsWith('/token'), method: 'GET' }).reply(503, '');
    pool
      .intercept({ path: (p: string) => p.startsWith('/token'), method: 'GET' })
      .reply(200, { token: 'T3' });
    pool
      .intercept({
        path: '/v2/team/app/manifests/v1',
        method: 'GET',
        headers: { authorization: 'Bearer T3' },
      })
      .reply(200, Buffer.from(manifest));
    const retried: string[] = [];
    const c = client({
      auth: new RegistryAuth({ credentials: async () => undefined }),
      onRetry: (r) => retried.push(`${r.path} ${r.error.code}`),
    });
    expect((await c.getManifest(loc, 'v1')).digest).toBe(digest);
    expect(retried).toEqual(['/token SERVER_ERROR']);
  });

  it('maps MANIFEST_UNKNOWN to a typed error without the body in the message', async () => {
    agent
      .get(origin)
      .intercept({ path: '/v2/team/app/manifests/v9', method: 'GET' })
      .reply(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'secret-ish detail' }] });
    const error = (await client()
      .getManifest(loc, 'v9')
      .catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.code).toBe('MANIFEST_UNKNOWN');
    expect(error.status).toBe(404);
    expect(error.registryMessage).toBe('secret-ish detail');
    expect(error.message).not.toContain('secret-ish');
  });

  it('HEAD returns undefined for a missing manifest', async () => {
    agent.get(origin).intercept({ path: '/v2/team/app/manifests/nope', method: 'HEAD' }).reply(404, '');
    expect(await client().headManifest(loc, 'nope')).toBeUndefined();
  });
});

describe('RegistryClient retries and auth', () => {
  it('retries 503 and 429 with Retry-After, then succeeds', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' }).reply(503, '');
    pool
      .intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' })
      .reply(429, '', { headers: { 'retry-after': '0' } });
    pool.intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' }).reply(200, Buffer.from(manifest));
    const retries: number[] = [];
    const m = await client({ onRetry: (r) => retries.push(r.error.status ?? 0) }).getManifest(loc, 'v1');
    expect(m.digest).toBe(digest);
    expect(retries).toEqual([503, 429]);
  });

  it('gives up after the bounded number of tries', async () => {
    agent.get(origin).intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' }).reply(500, '').times(3);
    await expect(
      client({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }).getManifest(loc, 'v1'),
    ).rejects.toMatchObject({
      code: 'SERVER_ERROR',
      retryable: true,
    });
  });

  it('answers a Bearer challenge with an anonymous token, caches it per scope', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' }).reply(401, '', {
      headers: {
        'www-authenticate': `Bearer realm="${origin}/token",service="reg",scope="repository:team/app:pull"`,
      },
    });
    pool
      .intercept({ path: '/token?service=reg&scope=repository%3Ateam%2Fapp%3Apull', method: 'GET' })
      .reply(200, { token: 'T1', expires_in: 300 });
    pool
      .intercept({
        path: '/v2/team/app/manifests/v1',
        method: 'GET',
        headers: { authorization: 'Bearer T1' },
      })
      .reply(200, Buffer.from(manifest));
    pool
      .intercept({
        path: '/v2/team/app/manifests/v2',
        method: 'GET',
        headers: { authorization: 'Bearer T1' },
      })
      .reply(200, Buffer.from(manifest));
    const c = client({ auth: new RegistryAuth({ credentials: async () => undefined }) });
    await c.getManifest(loc, 'v1');
    await c.getManifest(loc, 'v2');
  });

  it('sends Basic credentials to the token service and does not forward auth on blob redirects', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: `/v2/team/app/blobs/sha256:${'c'.repeat(64)}`, method: 'GET' }).reply(401, '', {
      headers: { 'www-authenticate': `Bearer realm="${origin}/token",service="reg"` },
    });
    pool
      .intercept({
        path: (p: string) => p.startsWith('/token'),
        method: 'GET',
        headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
      })
      .reply(200, { access_token: 'T2' });
    pool
      .intercept({
        path: `/v2/team/app/blobs/sha256:${'c'.repeat(64)}`,
        method: 'GET',
        headers: { authorization: 'Bearer T2' },
      })
      .reply(307, '', { headers: { location: 'https://cdn.example.test/blob?sig=1' } });
    agent
      .get('https://cdn.example.test')
      .intercept({
        path: '/blob?sig=1',
        method: 'GET',
        headers: (h: Record<string, string>) => !('authorization' in h),
      })
      .reply(200, 'bytes');
    const c = client({
      auth: new RegistryAuth({ credentials: async () => ({ kind: 'basic', username: 'u', password: 'p' }) }),
    });
    const res = await c.getBlob(loc, `sha256:${'c'.repeat(64)}`);
    expect(await text(res.body)).toBe('bytes');
  });

  it('sends Basic credentials to an http:// token realm only when its host is in plainHttp', async () => {
    const realm = 'http://auth.example.test';
    const challenge = { 'www-authenticate': `Bearer realm="${realm}/token",service="reg"` };
    const basic = `Basic ${Buffer.from('u:p').toString('base64')}`;
    const auth = () =>
      new RegistryAuth({ credentials: async () => ({ kind: 'basic', username: 'u', password: 'p' }) });
    agent
      .get(origin)
      .intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' })
      .reply(401, '', { headers: challenge })
      .times(2);
    const tokens = agent.get(realm);
    tokens
      .intercept({
        path: (p: string) => p.startsWith('/token'),
        method: 'GET',
        headers: { authorization: basic },
      })
      .reply(200, { token: 'T4' });

    const error = await client({ auth: auth() })
      .getManifest(loc, 'v1')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AuthError', code: 'TOKEN_REALM_INSECURE', retryable: false });
    expect((error as Error).message).toContain('auth.example.test');
    expect((error as Error).message).not.toContain(basic);
    // The realm was never asked: its one interceptor is still pending.
    expect(agent.pendingInterceptors().filter((i) => i.origin === realm)).toHaveLength(1);

    agent
      .get(origin)
      .intercept({
        path: '/v2/team/app/manifests/v1',
        method: 'GET',
        headers: { authorization: 'Bearer T4' },
      })
      .reply(200, Buffer.from(manifest));
    const opted = client({ plainHttp: ['auth.example.test'], auth: auth() });
    expect((await opted.getManifest(loc, 'v1')).digest).toBe(digest);
  });

  it.each([
    ['with a Content-Length', true],
    ['streamed without a Content-Length', false],
  ])('refuses a token answer over 1 MiB %s (TOKEN_TOO_LARGE)', async (_, withLength) => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/v2/team/app/manifests/v1', method: 'GET' }).reply(401, '', {
      headers: { 'www-authenticate': `Bearer realm="${origin}/token",service="reg"` },
    });
    const huge = JSON.stringify({ token: 'x'.repeat(1024 * 1024) });
    // MockAgent sends no Content-Length unless told to, so the second case reads the body up to the cap.
    pool
      .intercept({ path: (p: string) => p.startsWith('/token'), method: 'GET' })
      .reply(200, huge, withLength ? { headers: { 'content-length': String(huge.length) } } : {});
    const c = client({ auth: new RegistryAuth({ credentials: async () => undefined }) });
    await expect(c.getManifest(loc, 'v1')).rejects.toMatchObject({
      name: 'AuthError',
      code: 'TOKEN_TOO_LARGE',
      message: expect.stringContaining('1048576 bytes'),
    });
  });

  it('requests Range from an offset and reports where the body starts', async () => {
    agent
      .get(origin)
      .intercept({
        path: `/v2/team/app/blobs/sha256:${'d'.repeat(64)}`,
        method: 'GET',
        headers: { range: 'bytes=5-' },
      })
      .reply(206, 'world', { headers: { 'content-range': 'bytes 5-9/10' } });
    const res = await client().getBlob(loc, `sha256:${'d'.repeat(64)}`, { offset: 5 });
    expect(res.start).toBe(5);
    expect(await text(res.body)).toBe('world');
  });

  it('lists tags across Link pages', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/v2/team/app/tags/list?n=2', method: 'GET' }).reply(
      200,
      { tags: ['a', 'b'] },
      {
        headers: { link: '</v2/team/app/tags/list?n=2&last=b>; rel="next"' },
      },
    );
    pool.intercept({ path: '/v2/team/app/tags/list?n=2&last=b', method: 'GET' }).reply(200, { tags: ['c'] });
    expect(await client().listTags(loc, { pageSize: 2 })).toEqual(['a', 'b', 'c']);
  });
});

describe('parseManifest', () => {
  it('rejects schema 1 clearly', () => {
    const s1 = new TextEncoder().encode(JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] }));
    expect(() => parseManifest(s1)).toThrow(expect.objectContaining({ code: 'SCHEMA1_UNSUPPORTED' }));
  });

  it('treats an empty mediaType with manifests as an index', () => {
    const idx = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            digest: `sha256:${'e'.repeat(64)}`,
            size: 3,
            mediaType: MediaType.OciManifest,
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      }),
    );
    const parsed = parseManifest(idx);
    expect(parsed.kind).toBe('index');
  });
});

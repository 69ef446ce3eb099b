import {
  parseDockerConfig,
  parseWwwAuthenticate,
  RegistryAuth,
  resolveCredentials,
} from '@hub/image-save/auth';
import { describe, expect, it } from 'vitest';

describe('docker config', () => {
  it('normalises Docker Hub keys and decodes auth', async () => {
    const config = parseDockerConfig(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('me:pw').toString('base64') },
          'ghcr.io': { identitytoken: 'idt' },
        },
      }),
    );
    expect(Object.keys(config.auths).sort()).toEqual(['docker.io', 'ghcr.io']);
    expect(await resolveCredentials('docker.io', config)).toEqual({
      kind: 'basic',
      username: 'me',
      password: 'pw',
    });
    expect(await resolveCredentials('registry-1.docker.io', config)).toEqual({
      kind: 'basic',
      username: 'me',
      password: 'pw',
    });
    expect(await resolveCredentials('ghcr.io', config)).toEqual({ kind: 'identity-token', token: 'idt' });
    expect(await resolveCredentials('quay.io', config)).toBeUndefined();
  });

  it('prefers credHelpers, then credsStore, passing the Docker Hub server URL', async () => {
    const config = parseDockerConfig(
      JSON.stringify({ credsStore: 'desktop', credHelpers: { 'gcr.io': 'gcloud' }, auths: {} }),
    );
    const calls: string[] = [];
    const run = async (helper: string, server: string) => {
      calls.push(`${helper} ${server}`);
      return JSON.stringify(
        helper === 'gcloud' ? { Username: '<token>', Secret: 'refresh' } : { Username: 'u', Secret: 's' },
      );
    };
    expect(await resolveCredentials('gcr.io', config, run)).toEqual({
      kind: 'identity-token',
      token: 'refresh',
    });
    expect(await resolveCredentials('docker.io', config, run)).toEqual({
      kind: 'basic',
      username: 'u',
      password: 's',
    });
    expect(calls).toEqual(['gcloud gcr.io', 'desktop https://index.docker.io/v1/']);
  });

  it('names the file, not its contents, when config.json is malformed', () => {
    expect(() => parseDockerConfig('{"auths": secret', '/home/x/.docker/config.json')).toThrow(
      /config\.json is not valid JSON/,
    );
  });
});

describe('WWW-Authenticate', () => {
  it('parses Bearer parameters including quoted commas', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example/token',
          service: 'registry',
          scope: 'repository:a/b:pull,push',
        },
      },
    ]);
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
  });
});

describe('RegistryAuth', () => {
  it('caches tokens per scope until they expire', async () => {
    let now = 0;
    let requests = 0;
    const auth = new RegistryAuth({ credentials: async () => undefined, now: () => now });
    const http = async (url: URL) => {
      requests++;
      expect(url.searchParams.get('scope')).toBe('repository:a:pull');
      return { status: 200, body: JSON.stringify({ token: `t${requests}`, expires_in: 60 }) };
    };
    const challenge = 'Bearer realm="https://auth.example/token",service="s"';
    expect(await auth.respond('r', ['repository:a:pull'], challenge, http)).toBe('Bearer t1');
    expect(auth.cached('r', ['repository:a:pull'])).toBe('Bearer t1');
    expect(auth.cached('r', ['repository:b:pull'])).toBeUndefined();
    now = 60_000;
    expect(auth.cached('r', ['repository:a:pull'])).toBeUndefined();
    expect(requests).toBe(1);
  });

  it('uses the refresh-token grant for identity tokens', async () => {
    const auth = new RegistryAuth({
      credentials: async () => ({ kind: 'identity-token', token: 'refresh-me' }),
    });
    let form = '';
    const header = await auth.respond(
      'r',
      ['repository:a:pull'],
      'Bearer realm="https://auth.example/token",service="s"',
      async (_u, init) => {
        form = init.body ?? '';
        return { status: 200, body: JSON.stringify({ access_token: 'acc' }) };
      },
    );
    expect(header).toBe('Bearer acc');
    expect(new URLSearchParams(form).get('grant_type')).toBe('refresh_token');
    expect(new URLSearchParams(form).get('refresh_token')).toBe('refresh-me');
  });

  it('sends no identity token to an http:// realm unless its host may be spoken to in plain HTTP', async () => {
    const auth = new RegistryAuth({
      credentials: async () => ({ kind: 'identity-token', token: 'refresh-me' }),
    });
    const asked: string[] = [];
    const http = async (u: URL) => {
      asked.push(u.host);
      return { status: 200, body: JSON.stringify({ access_token: 'acc' }) };
    };
    const challenge = 'Bearer realm="http://auth.example:8080/token",service="s"';
    await expect(auth.respond('r', [], challenge, http)).rejects.toMatchObject({
      code: 'TOKEN_REALM_INSECURE',
      message: expect.not.stringContaining('refresh-me'),
    });
    expect(asked).toEqual([]);
    expect(await auth.respond('r', [], challenge, http, (h) => h === 'auth.example:8080')).toBe('Bearer acc');
    expect(asked).toEqual(['auth.example:8080']);
    // Anonymous tokens carry no secret of ours, so an http:// realm still gets asked for one.
    const anonymous = new RegistryAuth({ credentials: async () => undefined });
    expect(await anonymous.respond('r', [], challenge, http)).toBe('Bearer acc');
  });

  it('refuses a realm that is not an http(s) URL', async () => {
    const auth = new RegistryAuth({ credentials: async () => undefined });
    await expect(
      auth.respond('r', [], 'Bearer realm="file:///etc/passwd"', async () => ({ status: 200, body: '{}' })),
    ).rejects.toMatchObject({ code: 'CHALLENGE_INVALID' });
  });

  it('reports a failed token request without the response body', async () => {
    const auth = new RegistryAuth({ credentials: async () => undefined });
    await expect(
      auth.respond('r', [], 'Bearer realm="https://auth.example/token"', async () => ({
        status: 403,
        body: 'private stuff',
      })),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'TOKEN_FAILED',
        message: expect.not.stringContaining('private stuff'),
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { KubeRequestOptions, KubeTransport } from './kube-transport.ts';
import { cachedAuthenticator, createTokenReviewAuthenticator } from './token-review.ts';

function transport(
  answer: (body: { spec: { token: string; audiences?: string[] } }) => unknown,
  seen: KubeRequestOptions[] = [],
) {
  return {
    server: 'https://apiserver.test',
    async request(_path: string, options: KubeRequestOptions) {
      seen.push(options);
      return answer(options.body as { spec: { token: string; audiences?: string[] } });
    },
  } as unknown as KubeTransport;
}

describe('createTokenReviewAuthenticator', () => {
  it('asks for the configured audiences and accepts only a token valid for one of them', async () => {
    const seen: KubeRequestOptions[] = [];
    const review = createTokenReviewAuthenticator(
      transport(
        ({ spec }) => ({
          status: {
            authenticated: spec.token === 'good',
            audiences: spec.token === 'good' ? ['hub'] : ['other'],
            user: { username: 'alice', uid: 'u1', groups: ['g'] },
          },
        }),
        seen,
      ),
      { audiences: ['hub'] },
    );
    expect(await review.authenticate('good')).toEqual({ username: 'alice', uid: 'u1', groups: ['g'] });
    expect(await review.authenticate('bad')).toBeUndefined();
    expect(seen[0]).toMatchObject({
      verb: 'create',
      method: 'POST',
      body: { spec: { token: 'good', audiences: ['hub'] } },
    });
    // Malformed tokens never reach the apiserver.
    expect(await review.authenticate('two words')).toBeUndefined();
    expect(await review.authenticate('')).toBeUndefined();
    expect(seen).toHaveLength(2);
  });

  it('a token for another audience is refused even when the apiserver authenticates it', async () => {
    const review = createTokenReviewAuthenticator(
      transport(() => ({
        status: { authenticated: true, audiences: ['hub-registry'], user: { username: 'a' } },
      })),
      { audiences: ['hub'] },
    );
    expect(await review.authenticate('registry-password')).toBeUndefined();
  });

  it('an apiserver failure is a retryable error whose message holds no token', async () => {
    const review = createTokenReviewAuthenticator({
      server: 'x',
      request: async () => {
        throw new Error('POST with secret-token failed');
      },
    } as unknown as KubeTransport);
    const error = await review.authenticate('secret-token').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect((error as Error).message).not.toContain('secret-token');
  });

  it('cachedAuthenticator reuses both verdicts for ttlMs', async () => {
    let now = 0;
    let calls = 0;
    const cached = cachedAuthenticator(
      {
        authenticate: async (token) => {
          calls++;
          return token === 'good' ? { username: 'a', groups: [] } : undefined;
        },
      },
      { ttlMs: 1000, now: () => now },
    );
    await cached.authenticate('good');
    await cached.authenticate('bad');
    await cached.authenticate('good');
    await cached.authenticate('bad');
    expect(calls).toBe(2);
    now = 1001;
    await cached.authenticate('good');
    expect(calls).toBe(3);
  });
});

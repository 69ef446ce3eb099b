import { describe, expect, it } from 'vitest';
import { looksLikeKubeconfig, parseBasicCredentials } from './basic-credentials.ts';

const basic = (raw: string) => `Basic ${Buffer.from(raw).toString('base64')}`;

describe('parseBasicCredentials', () => {
  it('splits at the first colon, so passwords may hold colons', () => {
    expect(parseBasicCredentials(basic('alice:a:b:c'))).toEqual({
      kind: 'basic',
      username: 'alice',
      password: 'a:b:c',
    });
    expect(parseBasicCredentials(`basic   ${Buffer.from('u:p').toString('base64')}`)).toMatchObject({
      kind: 'basic',
    });
  });

  it('treats a missing or empty header as anonymous', () => {
    expect(parseBasicCredentials(null)).toEqual({ kind: 'none' });
    expect(parseBasicCredentials('  ')).toEqual({ kind: 'none' });
  });

  it('refuses other schemes, broken encodings and oversized headers', () => {
    expect(parseBasicCredentials('Bearer abc')).toEqual({ kind: 'invalid', reason: 'not-basic' });
    expect(parseBasicCredentials('Basic !!!')).toEqual({ kind: 'invalid', reason: 'malformed' });
    expect(parseBasicCredentials(basic('no-colon'))).toEqual({ kind: 'invalid', reason: 'malformed' });
    expect(parseBasicCredentials(basic(`u:${'x'.repeat(20_000)}`))).toEqual({
      kind: 'invalid',
      reason: 'malformed',
    });
  });
});

describe('looksLikeKubeconfig', () => {
  it('spots YAML and JSON kubeconfigs but not bearer tokens', () => {
    expect(looksLikeKubeconfig('apiVersion: v1\nkind: Config')).toBe(true);
    expect(looksLikeKubeconfig('{"apiVersion":"v1","kind":"Config","clusters":[]}')).toBe(true);
    expect(looksLikeKubeconfig('current-context: admin')).toBe(true);
    expect(looksLikeKubeconfig('eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2ln')).toBe(false);
    expect(looksLikeKubeconfig('abcdef.0123456789abcdef')).toBe(false);
  });
});

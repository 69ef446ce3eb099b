import { describe, expect, it } from 'vitest';
import { networkError, statusToCode } from './error-mapping.ts';
import { isForeignLayer, MediaType } from './media-types.ts';
import { REGISTRY_ERROR_RETRYABLE, RegistryError } from './registry-error.ts';

describe('the status table', () => {
  it('prefers the registry code, then the status, and decides retryable once by code', () => {
    expect(statusToCode(404, 'BLOB_UNKNOWN')).toBe('BLOB_UNKNOWN');
    expect(statusToCode(404, undefined)).toBe('MANIFEST_UNKNOWN');
    expect(statusToCode(408, undefined)).toBe('TIMEOUT');
    expect(statusToCode(503, undefined)).toBe('SERVER_ERROR');
    expect(statusToCode(501, undefined)).toBe('UNSUPPORTED');
    expect(statusToCode(418, undefined)).toBe('UNEXPECTED_STATUS');
    expect(new RegistryError(statusToCode(503, undefined), 'x').retryable).toBe(true);
    expect(new RegistryError(statusToCode(501, undefined), 'x').retryable).toBe(false);
    expect(new RegistryError(statusToCode(429, 'TOOMANYREQUESTS'), 'x').retryable).toBe(true);
    expect(
      Object.entries(REGISTRY_ERROR_RETRYABLE)
        .filter(([, r]) => r)
        .map(([c]) => c),
    ).toEqual([
      'TOO_MANY_REQUESTS',
      'DIGEST_MISMATCH',
      'SIZE_MISMATCH',
      'SERVER_ERROR',
      'NETWORK',
      'TIMEOUT',
    ]);
  });

  it('maps network failures by their code, saying whether the body broke off', () => {
    const ctx = { method: 'GET', what: 'manifest sha256:abc' };
    const reset = networkError(
      Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
      'h',
      ctx,
      'mid-body',
    );
    expect(reset.code).toBe('NETWORK');
    expect(reset.retryable).toBe(true);
    expect(reset.message).toMatch(
      /manifest sha256:abc: the body broke off \(other side closed, UND_ERR_SOCKET\)/,
    );
    expect(networkError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), 'h', ctx, 'request').code).toBe(
      'HOST_NOT_FOUND',
    );
    expect(
      networkError(Object.assign(new Error('x'), { code: 'UND_ERR_BODY_TIMEOUT' }), 'h', ctx, 'mid-body')
        .code,
    ).toBe('TIMEOUT');
  });
});

describe('isForeignLayer, the one foreign-layer rule', () => {
  const layer = { digest: `sha256:${'a'.repeat(64)}`, size: 1 };
  it('is a non-distributable media type with URLs, nothing else', () => {
    const foreign = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
    const nondist = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
    expect(isForeignLayer({ ...layer, mediaType: foreign, urls: ['https://x/l'] })).toBe(true);
    expect(isForeignLayer({ ...layer, mediaType: nondist, urls: ['https://x/l'] })).toBe(true);
    // Without URLs the registry is the only source; with URLs on an ordinary layer they are only a mirror.
    expect(isForeignLayer({ ...layer, mediaType: foreign })).toBe(false);
    expect(isForeignLayer({ ...layer, mediaType: MediaType.OciConfig, urls: ['https://x/l'] })).toBe(false);
  });
});

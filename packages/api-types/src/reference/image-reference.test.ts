import {
  familiarImageName,
  formatImageReference,
  type ImageReference,
  ImageReferenceError,
  mustParseImageReference,
  parseImageReference,
} from '@hub/api-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const SHA = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference: normalization', () => {
  it.each<[string, ImageReference]>([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['bitnami/redis:7', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7' }],
    ['docker.io/nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['index.docker.io/library/nginx:1', { registry: 'docker.io', repository: 'library/nginx', tag: '1' }],
    ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest' }],
    ['localhost:5000/a/b/c:v1', { registry: 'localhost:5000', repository: 'a/b/c', tag: 'v1' }],
    [
      'Registry.Example.com:443/x/y',
      { registry: 'registry.example.com:443', repository: 'x/y', tag: 'latest' },
    ],
    ['127.0.0.1:5000/x', { registry: '127.0.0.1:5000', repository: 'x', tag: 'latest' }],
    ['[::1]:5000/x:1', { registry: '[::1]:5000', repository: 'x', tag: '1' }],
    [`nginx@${SHA}`, { registry: 'docker.io', repository: 'library/nginx', digest: SHA }],
    [`nginx:1.27@${SHA}`, { registry: 'docker.io', repository: 'library/nginx', tag: '1.27', digest: SHA }],
    ['a__b/c--d/e.f_g:_tag.-x', { registry: 'docker.io', repository: 'a__b/c--d/e.f_g', tag: '_tag.-x' }],
    ['localhost:5000', { registry: 'docker.io', repository: 'library/localhost', tag: '5000' }],
  ])('%s', (input, expected) => {
    expect(parseImageReference(input)).toEqual({ success: true, data: expected });
  });
});

describe('parseImageReference: errors', () => {
  it.each([
    ['', 'EMPTY'],
    ['nginx:', 'INVALID_TAG'],
    [':tag', 'INVALID_FORMAT'],
    [`@${SHA}`, 'INVALID_FORMAT'],
    ['a/:b', 'INVALID_REPOSITORY'],
    ['/x:y', 'INVALID_REPOSITORY'],
    ['a//b', 'INVALID_REPOSITORY'],
    ['a/b/', 'INVALID_REPOSITORY'],
    ['-a/b', 'INVALID_REPOSITORY'],
    ['a_/b', 'INVALID_REPOSITORY'],
    ['a___b', 'INVALID_REPOSITORY'],
    ['Labring/mysql:v1', 'UPPERCASE'],
    ['docker.io/Library/Nginx', 'UPPERCASE'],
    ['nginx:.bad', 'INVALID_TAG'],
    [`nginx:${'t'.repeat(129)}`, 'INVALID_TAG'],
    ['nginx@sha256:abc', 'INVALID_DIGEST'],
    [`nginx@md5:${'a'.repeat(32)}`, 'INVALID_DIGEST'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'INVALID_DIGEST'],
    [`nginx@${SHA}@${SHA}`, 'INVALID_DIGEST'],
    ['-bad.host/x', 'INVALID_REGISTRY'],
    ['host.example.com:port/x', 'INVALID_REGISTRY'],
    [`${'a'.repeat(64)}`, 'AMBIGUOUS_IDENTIFIER'],
    [`example.com/${'a'.repeat(244)}`, 'NAME_TOO_LONG'],
    ['nginx latest', 'INVALID_FORMAT'],
  ])('%j → %s', (input, code) => {
    const result = parseImageReference(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error).toBeInstanceOf(ImageReferenceError);
    expect(result.error.code).toBe(code);
    expect(result.error.input).toBe(input);
    expect(result.error.name).toBe('ImageReferenceError');
  });

  it('accepts a name of exactly 255 characters and rejects 256', () => {
    expect(parseImageReference(`example.com/${'a'.repeat(243)}`).success).toBe(true);
    expect(parseImageReference(`example.com/${'a'.repeat(244)}`).success).toBe(false);
  });

  it('mustParseImageReference throws the typed error', () => {
    expect(() => mustParseImageReference('UPPER')).toThrow(ImageReferenceError);
    expect(mustParseImageReference('busybox').repository).toBe('library/busybox');
  });
});

describe('formatImageReference and familiarImageName', () => {
  it('writes the fully qualified form by default', () => {
    expect(formatImageReference(mustParseImageReference('nginx'))).toBe('docker.io/library/nginx:latest');
  });
  it('drops the tag when a digest is present only on request', () => {
    const ref = mustParseImageReference(`nginx:1@${SHA}`);
    expect(formatImageReference(ref)).toBe(`docker.io/library/nginx:1@${SHA}`);
    expect(formatImageReference(ref, { dropTagWithDigest: true })).toBe(`docker.io/library/nginx@${SHA}`);
  });
  it.each([
    ['nginx', 'nginx:latest'],
    ['docker.io/bitnami/redis:7', 'bitnami/redis:7'],
    ['docker.io/library/a/b:1', 'library/a/b:1'],
    ['docker.io/a.b/c:1', 'docker.io/a.b/c:1'],
    ['localhost:5000/x:1', 'localhost:5000/x:1'],
    [`ghcr.io/o/r@${SHA}`, `ghcr.io/o/r@${SHA}`],
  ])('familiar %s → %s', (input, familiar) => {
    expect(familiarImageName(mustParseImageReference(input))).toBe(familiar);
    expect(mustParseImageReference(familiar)).toEqual(mustParseImageReference(input));
  });
});

// Arbitraries for the grammar: normalized references (registry, path, tag and/or digest).
const alnum = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const separator = fc.constantFrom('.', '_', '__', '-', '--');
const pathComponent = fc
  .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 2 }))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''));
const host = fc.oneof(
  fc.constant('localhost'),
  fc.constant('docker.io'),
  fc
    .tuple(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,5}[a-z0-9])?$/), fc.constantFrom('com', 'io', 'internal'))
    .map(([a, b]) => `${a}.${b}`),
  fc.stringMatching(/^(\d{1,3}\.){3}\d{1,3}$/),
);
const registry = fc
  .tuple(host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([h, port]) => (port === undefined || h === 'docker.io' ? h : `${h}:${port}`));
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
const digest = fc
  .oneof(
    fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`),
    fc.stringMatching(/^[a-f0-9]{128}$/).map((h) => `sha512:${h}`),
  )
  .filter(Boolean);
const normalizedReference: fc.Arbitrary<ImageReference> = fc
  .record({
    registry,
    path: fc.array(pathComponent, { minLength: 1, maxLength: 3 }),
    tag: fc.option(tag, { nil: undefined }),
    digest: fc.option(digest, { nil: undefined }),
  })
  .map(({ registry, path, tag, digest }) => {
    const repository = registry === 'docker.io' && path.length === 1 ? `library/${path[0]}` : path.join('/');
    const ref: ImageReference = { registry, repository };
    if (tag !== undefined || digest === undefined) ref.tag = tag ?? 'latest';
    if (digest !== undefined) ref.digest = digest;
    return ref;
  });

describe('properties (fast-check)', () => {
  it('parse(format(x)) == x for normalized references', () => {
    fc.assert(
      fc.property(normalizedReference, (ref) => {
        expect(parseImageReference(formatImageReference(ref))).toEqual({ success: true, data: ref });
      }),
      { numRuns: 500 },
    );
  });

  it('the familiar form parses back to the same reference', () => {
    fc.assert(
      fc.property(normalizedReference, (ref) => {
        expect(mustParseImageReference(familiarImageName(ref))).toEqual(ref);
      }),
      { numRuns: 500 },
    );
  });

  // Strings as people write them: optional registry, short Docker Hub names, optional tag/digest.
  const writtenReference = fc
    .tuple(
      fc.option(fc.oneof(registry, fc.constant('index.docker.io')), { nil: undefined }),
      fc.array(pathComponent, { minLength: 1, maxLength: 3 }),
      fc.option(tag, { nil: undefined }),
      fc.option(digest, { nil: undefined }),
    )
    .map(
      ([reg, path, t, d]) =>
        `${reg === undefined ? '' : `${reg}/`}${path.join('/')}${t === undefined ? '' : `:${t}`}${d === undefined ? '' : `@${d}`}`,
    );

  it('format(parse(s)) is a fixed point of normalization', () => {
    fc.assert(
      fc.property(writtenReference, (input) => {
        const parsed = parseImageReference(input);
        if (!parsed.success) return; // e.g. a generated first segment that is not host-like but over 255
        const once = formatImageReference(parsed.data);
        expect(formatImageReference(mustParseImageReference(once))).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (input) => {
        const result = parseImageReference(input);
        expect(typeof result.success).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});

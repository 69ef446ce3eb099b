import {
  formatImageHubName,
  ImageReferenceError,
  imageMetadataName,
  isValidMetadataName,
  organizationMetadataName,
  repositoryMetadataName,
} from '@hub/api-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('imageMetadataName', () => {
  it('keeps the original org.repo.tag where it is lossless (seed samples)', () => {
    expect(imageMetadataName('labring/mysql:v8.0.25')).toBe('labring.mysql.v8.0.25');
    expect(imageMetadataName('labring/helm:v3.14')).toBe('labring.helm.v3.14');
    expect(imageMetadataName('labring/cert-manager:v1.8.0')).toBe('labring.cert-manager.v1.8.0');
    expect(imageMetadataName({ organization: 'labring', repository: 'mysql', tag: 'latest' })).toBe(
      'labring.mysql.latest',
    );
  });

  it('separates the original collision a.b/c:d vs a/b.c:d', () => {
    const left = imageMetadataName('a.b/c:d');
    const right = imageMetadataName('a/b.c:d');
    expect(left).not.toBe(right);
    expect(left).toMatch(/^a\.b\.c\.d--[0-9a-f]{16}$/);
    expect(isValidMetadataName(left) && isValidMetadataName(right)).toBe(true);
  });

  it.each([
    'o/r:V1.0',
    'o/r:_x',
    'o/r:x.',
    'o/r:a--b',
    'o_x/r:1',
    'o/r__y:1',
    `${'o'.repeat(120)}/${'r'.repeat(120)}:${'t'.repeat(20)}`,
  ])('hashes %s into a valid name with the hash suffix', (name) => {
    const metadataName = imageMetadataName(name);
    expect(isValidMetadataName(metadataName)).toBe(true);
    expect(metadataName).toMatch(/--[0-9a-f]{16}$/);
  });

  it('throws the typed error for strings that are not imagehub names', () => {
    expect(() => imageMetadataName('labring')).toThrow(ImageReferenceError);
  });

  it('is valid and collision-free for arbitrary imagehub names (fast-check)', () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,3}(?:(?:[._]|__|-+)[a-z0-9]{1,3}){0,2}$/);
    const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}$/);
    const hubName = fc.record({ organization: component, repository: component, tag });
    fc.assert(
      fc.property(
        fc.uniqueArray(hubName, { minLength: 2, maxLength: 40, selector: formatImageHubName }),
        (names) => {
          const metadataNames = names.map((n) => imageMetadataName(n));
          for (const m of metadataNames) expect(isValidMetadataName(m)).toBe(true);
          expect(new Set(metadataNames).size).toBe(names.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('repositoryMetadataName and organizationMetadataName', () => {
  it('keeps org.repo and org where lossless', () => {
    expect(repositoryMetadataName('labring/mysql')).toBe('labring.mysql');
    expect(organizationMetadataName('labring')).toBe('labring');
    expect(organizationMetadataName('a.b')).toBe('a.b');
  });
  it('hashes ambiguous or invalid names', () => {
    expect(repositoryMetadataName('a.b/c')).not.toBe(repositoryMetadataName('a/b.c'));
    expect(repositoryMetadataName('a.b/c')).toMatch(/--[0-9a-f]{16}$/);
    for (const org of ['Labring', 'my_org', 'x--y', 'UPPER.case']) {
      const name = organizationMetadataName(org);
      expect(isValidMetadataName(name)).toBe(true);
      expect(name).toMatch(/--[0-9a-f]{16}$/);
    }
    expect(organizationMetadataName('Labring')).not.toBe(organizationMetadataName('labring'));
  });
  it('rejects an empty organization', () => {
    expect(() => organizationMetadataName('')).toThrow(ImageReferenceError);
  });
});

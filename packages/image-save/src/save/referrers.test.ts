import { referrerDescriptors, referrersFallbackTag, referrerTagsOf, refersTo } from '@hub/image-save';
import { describe, expect, it } from 'vitest';

const hex = 'a'.repeat(64);
const subject = `sha256:${hex}`;
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const desc = (c: string) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${c.repeat(64)}`,
  size: 10,
});

describe('referrer discovery helpers', () => {
  it('names the fallback tag and picks the present fallback and cosign tags', () => {
    expect(referrersFallbackTag(subject)).toBe(`sha256-${hex}`);
    expect(referrersFallbackTag('latest')).toBeUndefined();
    const tags = new Set([
      'v1',
      `sha256-${hex}`,
      `sha256-${hex}.sig`,
      `sha256-${hex}.sbom`,
      `sha256-${'b'.repeat(64)}.att`,
    ]);
    expect(referrerTagsOf(subject, tags)).toEqual({
      fallback: `sha256-${hex}`,
      cosign: [`sha256-${hex}.sig`, `sha256-${hex}.sbom`],
    });
    expect(referrerTagsOf(subject, new Set(['v1']))).toEqual({ cosign: [] });
  });

  it('reads descriptors only from an index, so anything else falls back', () => {
    const index = enc({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [desc('c')],
    });
    expect(referrerDescriptors(index)?.map((d) => d.digest)).toEqual([`sha256:${'c'.repeat(64)}`]);
    expect(referrerDescriptors(enc({ errors: [{ code: 'NOT_FOUND' }] }))).toBeUndefined();
    expect(referrerDescriptors(new TextEncoder().encode('404 page not found'))).toBeUndefined();
  });

  it('accepts a referrer only when its subject is the image', () => {
    const manifest = (s?: string) =>
      enc({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: desc('d'),
        layers: [],
        ...(s ? { subject: { ...desc('e'), digest: s } } : {}),
      });
    expect(refersTo(manifest(subject), subject)).toBe(true);
    expect(refersTo(manifest(`sha256:${'f'.repeat(64)}`), subject)).toBe(false);
    expect(refersTo(manifest(), subject)).toBe(false);
    expect(refersTo(new TextEncoder().encode('nope'), subject)).toBe(false);
  });
});

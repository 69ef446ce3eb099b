import {
  hostPlatform,
  PlatformError,
  parsePlatform,
  platformMatches,
  selectIndexChildren,
} from '@hub/image-save/platform';
import type { Descriptor } from '@hub/image-save/registry';
import { describe, expect, it } from 'vitest';

const d = (
  digest: string,
  platform?: Descriptor['platform'],
  annotations?: Record<string, string>,
): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 1,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});

describe('platforms', () => {
  it('parses and normalises os/arch[/variant]', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/arm')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('arm64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(() => parsePlatform('linux//amd64')).toThrow(PlatformError);
    expect(() => parsePlatform('a/b/c/d')).toThrow(PlatformError);
  });

  it('treats arm64 and arm64/v8 as the same platform', () => {
    expect(
      platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    ).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' })).toBe(
      true,
    );
    expect(
      platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' }),
    ).toBe(false);
  });

  it('maps the host platform to OCI names', () => {
    const host = hostPlatform();
    expect(['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64']).toContain(host.architecture);
    expect(host.os).toBe(process.platform === 'win32' ? 'windows' : 'linux');
  });

  const children = [
    d('sha256:amd', { os: 'linux', architecture: 'amd64' }),
    d('sha256:arm7', { os: 'linux', architecture: 'arm', variant: 'v7' }),
    d('sha256:arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    d('sha256:chart'),
    d(
      'sha256:att',
      { os: 'unknown', architecture: 'unknown' },
      { 'vnd.docker.reference.digest': 'sha256:amd', 'vnd.docker.reference.type': 'attestation-manifest' },
    ),
    d(
      'sha256:att64',
      { os: 'unknown', architecture: 'unknown' },
      { 'vnd.docker.reference.digest': 'sha256:arm64', 'vnd.docker.reference.type': 'attestation-manifest' },
    ),
  ];

  it('keeps the wanted platform and platform-less artifacts, drops attestations by default', () => {
    const kept = selectIndexChildren(children, { platforms: [parsePlatform('linux/amd64')] });
    expect(kept.map((c) => c.digest)).toEqual(['sha256:amd', 'sha256:chart']);
  });

  it('keeps attestations of kept children when asked', () => {
    const kept = selectIndexChildren(children, {
      platforms: [parsePlatform('linux/arm64')],
      includeAttestations: true,
    });
    expect(kept.map((c) => c.digest)).toEqual(['sha256:arm64', 'sha256:chart', 'sha256:att64']);
  });

  it('keeps every platform with "all", still without attestations', () => {
    const kept = selectIndexChildren(children, { platforms: 'all' });
    expect(kept.map((c) => c.digest)).toEqual(['sha256:amd', 'sha256:arm7', 'sha256:arm64', 'sha256:chart']);
  });

  it('selects nothing but artifacts for a platform the index lacks', () => {
    expect(
      selectIndexChildren(children, { platforms: [parsePlatform('linux/s390x')] }).map((c) => c.digest),
    ).toEqual(['sha256:chart']);
  });
});

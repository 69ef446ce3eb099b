import { describe, expect, it } from 'vitest';
import { manifestPushError } from './push-failure.ts';

const child = `sha256:${'a'.repeat(64)}`;
const other = `sha256:${'b'.repeat(64)}`;
const index = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: child,
        size: 10,
        platform: { os: 'linux', architecture: 'amd64' },
      },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: other,
        size: 10,
        platform: { os: 'linux', architecture: 'arm64' },
      },
    ],
  }),
);
const push = (carried: string[]) => ({
  registry: 'registry.local:5000',
  repository: 'team/app',
  digest: `sha256:${'c'.repeat(64)}`,
  tag: 'v1',
  bytes: index,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  carried: new Set(carried),
});

describe('manifestPushError: each refusal gets its own code and hint', () => {
  it('401/403 → PUSH_UNAUTHORIZED with a login hint, never the multi-arch hint', () => {
    const error = manifestPushError(push([child]), { status: 401, registryCode: 'UNAUTHORIZED' });
    expect(error.code).toBe('PUSH_UNAUTHORIZED');
    expect(error.message).toContain('docker login registry.local:5000');
    expect(error.message).not.toContain('--platform all');
  });

  it('an index missing children, refused with a 4xx → PUSH_INDEX_INCOMPLETE with the multi-arch hint', () => {
    const error = manifestPushError(push([child]), { status: 400, registryCode: 'MANIFEST_BLOB_UNKNOWN' });
    expect(error.code).toBe('PUSH_INDEX_INCOMPLETE');
    expect(error.message).toContain('--platform all');
  });

  it('a complete index refused with a 5xx → PUSH_REJECTED, retryable as the cause says, no multi-arch hint', () => {
    const error = manifestPushError(push([child, other]), { status: 503, retryable: true });
    expect(error.code).toBe('PUSH_REJECTED');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('HTTP 503');
    expect(error.message).not.toContain('--platform all');
  });

  it('a network failure → PUSH_REJECTED naming it', () => {
    const error = manifestPushError(push([child]), new Error('other side closed'));
    expect(error.code).toBe('PUSH_REJECTED');
    expect(error.message).toContain('other side closed');
  });
});

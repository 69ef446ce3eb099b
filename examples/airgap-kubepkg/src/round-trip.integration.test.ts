import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubePkg } from '@hub/kubepkg/spec';
import { startRegistry } from '@hub/test-env';
import { expect, inject, it } from 'vitest';
import { airGapRoundTrip } from './round-trip.ts';

it('exports from a registry, imports into a directory the stock registry serves', async () => {
  const env = inject('hubTestEnv');
  const image = env.fixtures.images['oci-multiarch'];
  const workDir = await mkdtemp(join(tmpdir(), 'airgap-example-'));
  try {
    const { storageDir, exported, imported } = await airGapRoundTrip({
      workDir,
      plainHttp: [env.registry],
      manifestsYaml: `apiVersion: batch/v1
kind: Job
metadata: { name: hello, namespace: demo }
spec: { template: { spec: { restartPolicy: Never, containers: [{ name: hello, image: ${image.reference} }] } } }
`,
    });
    expect((exported.document as KubePkg).spec.images[image.reference]).toBe(image.digest);
    expect(imported.tags).toEqual([`${image.repository}:${image.tag}`]);

    const registry = await startRegistry({ storageDir, readOnly: true });
    try {
      const res = await fetch(`${registry.url}/v2/${image.repository}/manifests/${image.tag}`, {
        method: 'HEAD',
        headers: { accept: image.mediaType },
      });
      expect(res.headers.get('docker-content-digest')).toBe(image.digest);
    } finally {
      await registry.stop();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
});

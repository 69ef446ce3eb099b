// kubepkg serve against the OCI distribution-spec conformance suite (read-only, pre-existing content), and
// its Referrers API over what hub-save saved with --include-referrers.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { saveImages } from '@hub/image-save';
import { RegistryClient } from '@hub/image-save/registry';
import { createRegistryServer, type RegistryServer } from '@hub/kubepkg';
import { type Registry, startRegistry } from '@hub/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const buildScript = join(import.meta.dirname, '../../test-env/go/build-oci-conformance.sh');
const repository = 'team/signed';
const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

let work: string;
let source: Registry;
let server: RegistryServer;
let host: string;
let suite: string;
const image = { digest: '', size: 0, layer: '' };
const referrers: Record<'sbom' | 'signature', string> = { sbom: '', signature: '' };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kubepkg-conformance-'));
  // Built once per machine into ~/.cache/hub-testenv (a few minutes the first time).
  const built = await run(buildScript, [], { maxBuffer: 16 * 1024 * 1024 });
  suite = /OCI_CONFORMANCE=(.+)/.exec(built.stdout)?.[1]?.trim() as string;

  // A stock registry 2.8 with an image, an SBOM and a signature referring to it, and the referrers
  // fallback tag `sha256-<hex>` a client such as oras writes where the Referrers API is missing.
  source = await startRegistry();
  const client = new RegistryClient({ plainHttp: [source.host], auth: false });
  const loc = { registry: source.host, repository };
  const put = async (bytes: Buffer) => {
    await client.putBlob(loc, sha(bytes), bytes, { size: bytes.length });
    return { digest: sha(bytes), size: bytes.length };
  };
  const layer = await put(randomBytes(4096));
  const config = await put(
    json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const empty = await put(Buffer.from('{}'));
  const manifest = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  });
  await client.putManifest(loc, 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json');
  Object.assign(image, { digest: sha(manifest), size: manifest.length, layer: layer.digest });
  const subject = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: image.digest,
    size: image.size,
  };
  const descriptors = [];
  for (const [kind, artifactType] of [
    ['sbom', 'application/spdx+json'],
    ['signature', 'application/vnd.dev.sigstore.bundle.v0.3+json'],
  ] as const) {
    const content = await put(json({ kind, of: image.digest }));
    const referrer = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
      layers: [{ mediaType: artifactType, ...content }],
      subject,
      annotations: { 'org.example.kind': kind },
    });
    await client.putManifest(loc, sha(referrer), referrer, 'application/vnd.oci.image.manifest.v1+json');
    referrers[kind] = sha(referrer);
    descriptors.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha(referrer),
      size: referrer.length,
      artifactType,
    });
  }
  const fallback = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: descriptors,
  });
  await client.putManifest(
    loc,
    `sha256-${image.digest.slice(7)}`,
    fallback,
    'application/vnd.oci.image.index.v1+json',
  );
  await client.close();

  const dir = join(work, 'saved');
  const saved = await saveImages({
    images: [`${source.host}/${repository}:v1`],
    dir,
    includeReferrers: true,
    plainHttp: [source.host],
    auth: false,
  });
  expect(saved.images[0]?.status).toBe('saved');
  server = createRegistryServer({ dir });
  host = await server.listen('127.0.0.1:0');
}, 900_000);

afterAll(async () => {
  await server?.close();
  await source?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kubepkg serve: Referrers API', () => {
  it('lists what hub-save saved with --include-referrers, filtered by artifactType', async () => {
    const all = await fetch(`http://${host}/v2/${repository}/referrers/${image.digest}`);
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json');
    const index = (await all.json()) as { manifests: Array<{ digest: string; artifactType?: string }> };
    expect(index.manifests.map((m) => m.digest).sort()).toEqual([referrers.sbom, referrers.signature].sort());

    const sboms = await fetch(
      `http://${host}/v2/${repository}/referrers/${image.digest}?artifactType=${encodeURIComponent('application/spdx+json')}`,
    );
    expect(sboms.headers.get('oci-filters-applied')).toBe('artifactType');
    const filtered = (await sboms.json()) as { manifests: Array<{ digest: string; annotations?: object }> };
    expect(filtered.manifests).toEqual([
      expect.objectContaining({ digest: referrers.sbom, annotations: { 'org.example.kind': 'sbom' } }),
    ]);

    const none = await fetch(`http://${host}/v2/${repository}/referrers/sha256:${'0'.repeat(64)}`);
    expect(none.status).toBe(200);
    expect(((await none.json()) as { manifests: unknown[] }).manifests).toEqual([]);
    expect((await fetch(`http://${host}/v2/${repository}/referrers/not-a-digest`)).status).toBe(400);
  });
});

describe('kubepkg serve: OCI distribution-spec conformance (read-only)', () => {
  it('passes every pull, tag-listing and referrers test', async () => {
    const result = await run(suite, ['-test.v'], {
      cwd: work,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        OCI_REGISTRY: host,
        OCI_TLS: 'disabled',
        OCI_REPO1: repository,
        OCI_REPO2: repository,
        OCI_API_PUSH: 'false',
        OCI_API_BLOBS_DELETE: 'false',
        OCI_API_MANIFESTS_DELETE: 'false',
        OCI_API_TAGS_DELETE: 'false',
        OCI_RO_DATA_TAGS: 'v1',
        OCI_RO_DATA_MANIFESTS: image.digest,
        OCI_RO_DATA_BLOBS: image.layer,
        OCI_RO_DATA_REFERRERS: image.digest,
        OCI_RESULTS_DIR: join(work, 'results'),
      },
    }).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }));
    // This suite version crashes (nil pointer) writing its own results.yaml after printing its report, so
    // the report on stdout is what we read, not the exit status or the results files.
    const output = `${result.stdout}\n${result.stderr}`;
    const count = (label: string) =>
      Number(new RegExp(`${label}\\.+:\\s+(\\d+)`).exec(output)?.[1] ?? Number.NaN);
    const status = (label: string) => new RegExp(`${label}\\.+:\\s+(\\w+)`).exec(output)?.[1];
    expect(/OCI Conformance Result: (\w+)/.exec(output)?.[1], output.slice(-4000)).toBe('Pass');
    expect(count('FAIL')).toBe(0);
    expect(count('Error')).toBe(0);
    expect(count('Pass')).toBeGreaterThanOrEqual(14);
    for (const api of [
      'Ping',
      'Tag listing',
      'Blob get',
      'Blob head',
      'Manifest get by digest',
      'Manifest get by tag',
      'Manifest head by digest',
      'Manifest head by tag',
      'Referrers',
      'Invalid Manifest Digest',
      'Read Only Inputs',
    ])
      expect(status(api), api).toBe('Pass');
  }, 300_000);
});

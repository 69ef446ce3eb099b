import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { saveImages } from '@hub/image-save';
import { MediaType } from '@hub/image-save/registry';
import { digestBytes } from '@hub/image-save/storage';
import { type Registry, startFaultProxy, startRegistry } from '@hub/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorpusBuilder, type PushedImage } from './corpus.ts';

const run = promisify(execFile);
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const repository = 'team/signed';

let source: Registry;
let image: PushedImage;
let sigTag: string;
let sigDigest: string;
let fallbackTag: string;
let referrerDigest: string;
let strayDigest: string;
const dirs: string[] = [];

beforeAll(async () => {
  source = await startRegistry();
  const b = new CorpusBuilder(source.host);
  const loc = { registry: source.host, repository };
  image = await b.single(repository, 'v1', [randomBytes(2048)]);
  const subject = { mediaType: MediaType.OciManifest, digest: image.digest, size: image.bytes.byteLength };
  const hex = image.digest.slice('sha256:'.length);
  const empty = await b.blob(repository, enc({}));

  // cosign-style signature: a tag sha256-<hex>.sig holding a simplesigning layer.
  const payload = await b.blob(
    repository,
    enc({
      critical: {
        image: { 'docker-manifest-digest': image.digest },
        type: 'cosign container image signature',
      },
    }),
  );
  const sig = enc({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, ...empty },
    layers: [
      {
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        ...payload,
        annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' },
      },
    ],
  });
  sigTag = `sha256-${hex}.sig`;
  sigDigest = await b.client.putManifest(loc, sigTag, sig, MediaType.OciManifest);

  // OCI referrer with subject, listed in the sha256-<hex> fallback index, next to a stray entry whose
  // subject is another image (must be dropped).
  const sbom = await b.blob(repository, enc({ spdxVersion: 'SPDX-2.3' }));
  const referrer = enc({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    artifactType: 'application/spdx+json',
    config: { mediaType: MediaType.OciEmpty, ...empty },
    layers: [{ mediaType: 'application/spdx+json', ...sbom }],
    subject,
  });
  referrerDigest = await b.client.putManifest(loc, digestBytes(referrer), referrer, MediaType.OciManifest);
  const other = await b.single(repository, 'other', [randomBytes(512)]);
  const stray = enc({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    artifactType: 'application/spdx+json',
    config: { mediaType: MediaType.OciEmpty, ...empty },
    layers: [{ mediaType: 'application/spdx+json', ...sbom }],
    subject: { mediaType: MediaType.OciManifest, digest: other.digest, size: other.bytes.byteLength },
  });
  strayDigest = await b.client.putManifest(loc, digestBytes(stray), stray, MediaType.OciManifest);
  fallbackTag = `sha256-${hex}`;
  const fallback = enc({
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: [
      {
        mediaType: MediaType.OciManifest,
        digest: referrerDigest,
        size: referrer.byteLength,
        artifactType: 'application/spdx+json',
      },
      { mediaType: MediaType.OciManifest, digest: strayDigest, size: stray.byteLength },
    ],
  });
  await b.client.putManifest(loc, fallbackTag, fallback, MediaType.OciIndex);
  await b.close();
});

afterAll(async () => {
  await source?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function save(includeReferrers: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'hub-save-ref-'));
  dirs.push(dir);
  const result = await saveImages({
    images: [`${source.host}/${repository}:v1`],
    dir,
    plainHttp: [source.host],
    auth: false,
    ...(includeReferrers ? { includeReferrers: true } : {}),
  });
  expect(result.images.map((r) => r.error?.message ?? r.status)).toEqual(['saved']);
  return dir;
}

async function inspect(host: string, ref: string): Promise<{ ok: true; digest: string } | { ok: false }> {
  try {
    const { stdout } = await run('skopeo', [
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${host}/${ref}`,
    ]);
    return { ok: true, digest: digestBytes(new TextEncoder().encode(stdout)) };
  } catch {
    return { ok: false };
  }
}

describe('saveImages includeReferrers against a registry without the Referrers API', () => {
  it('saves the cosign signature tag and the verified fallback-index referrer with the source digests', async () => {
    const dir = await save(true);
    const served = await startRegistry({ storageDir: dir, readOnly: true });
    try {
      expect(await inspect(served.host, `${repository}:v1`)).toEqual({ ok: true, digest: image.digest });
      expect(await inspect(served.host, `${repository}:${sigTag}`)).toEqual({ ok: true, digest: sigDigest });
      expect(await inspect(served.host, `${repository}@${referrerDigest}`)).toEqual({
        ok: true,
        digest: referrerDigest,
      });
      // The fallback tag lists only the referrer whose subject is the image; the stray one is not saved.
      const { stdout } = await run('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${served.host}/${repository}:${fallbackTag}`,
      ]);
      const listed = (JSON.parse(stdout) as { manifests: { digest: string }[] }).manifests.map(
        (m) => m.digest,
      );
      expect(listed).toEqual([referrerDigest]);
      expect(await inspect(served.host, `${repository}@${strayDigest}`)).toEqual({ ok: false });
    } finally {
      await served.stop();
    }
  });

  it('fetches each cosign tag manifest once', async () => {
    const proxy = await startFaultProxy(source.host);
    try {
      const dir = await mkdtemp(join(tmpdir(), 'hub-save-ref-once-'));
      dirs.push(dir);
      const result = await saveImages({
        images: [`${proxy.host}/${repository}:v1`],
        dir,
        plainHttp: [proxy.host],
        auth: false,
        includeReferrers: true,
      });
      expect(result.images[0]?.status).toBe('saved');
      const sigGets = proxy.requests.filter(
        (r) =>
          r === `GET /v2/${repository}/manifests/${sigTag}` ||
          r === `GET /v2/${repository}/manifests/${sigDigest}`,
      );
      expect(sigGets).toEqual([`GET /v2/${repository}/manifests/${sigTag}`]);
    } finally {
      await proxy.close();
    }
  });

  it('saves neither without the option', async () => {
    const dir = await save(false);
    const served = await startRegistry({ storageDir: dir, readOnly: true });
    try {
      expect(await inspect(served.host, `${repository}:v1`)).toEqual({ ok: true, digest: image.digest });
      expect(await inspect(served.host, `${repository}:${sigTag}`)).toEqual({ ok: false });
      expect(await inspect(served.host, `${repository}:${fallbackTag}`)).toEqual({ ok: false });
      expect(await inspect(served.host, `${repository}@${referrerDigest}`)).toEqual({ ok: false });
    } finally {
      await served.stop();
    }
  });
});

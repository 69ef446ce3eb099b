import { parseArgs } from 'node:util';
import { type CliIo, reportUsage } from '@hub/api-types/cli';
import { toHubError } from '@hub/api-types/errors';
import { formatBytes } from '../format/format-bytes.ts';
import { isPlatformError, parsePlatform } from '../platform/platform.ts';
import type { SaveEvent } from '../save/events.ts';
import { readImageList } from '../save/images-file.ts';
import type { SaveImagesOptions, SaveImagesResult } from '../save/save-images.ts';
import { createProgressRenderer } from './progress.ts';

export const HELP = `hub-save: save images and Helm charts into a directory a stock docker-registry serves

Usage:
  hub-save --dir <path> [--images-file <file>] [--arch <arch> | --platform <os/arch[/variant]>... | --all-platforms]
           [--plain-http <host[:port]>...] [--insecure-skip-tls-verify <host>...] [--registry-mirror <registry>=<host>...]
           [--concurrency <n>] [--json] <image>...

Options:
  --dir <path>                       storage root (serve it with docker-registry, rootdirectory: <path>)
  --images-file <file>               references, one per line; '#' comments and blank lines ignored
  --arch <arch>                      keep linux/<arch> (e.g. amd64, arm64)
  --platform <os/arch[/variant]>     keep this platform; repeatable (default: the host platform)
  --all-platforms                    keep every platform
  --filtered-index                   write an index listing only the saved platforms (new digest)
  --include-attestations             keep attestation manifests of the saved platforms
  --include-referrers                also save signatures/referrers (Referrers API, sha256-<hex> tags, cosign .sig/.att/.sbom)
  --keep-registry-host               store as <registry>/<repository> instead of <repository>
                                     (without it, Docker Hub official images are also served by their short name: mysql)
  --registry-mirror <registry>=<host>  fetch that registry's images from a mirror (docker.io=mirror.local:5000); repeatable
  --plain-http <host[:port]>         talk HTTP to this host; repeatable, explicit opt-in
  --insecure-skip-tls-verify <host>  skip TLS verification for this host; repeatable, explicit opt-in
  --concurrency <n>                  blob transfers per registry host (default 6)
  --json                             NDJSON events on stdout (retries included), then a final summary object
  -h, --help                         this help

Progress goes to stderr, redrawn in place on a terminal. A failure line names the image once, then
what was being fetched, what the server or network did, and how many tries were made.

Exit status: 0 when every image was saved, 1 when any failed, 2 on bad usage.

Examples:
  hub-save --dir ./registry nginx:1.27 ghcr.io/org/chart:1.2.0
  hub-save --dir ./registry --platform linux/amd64 --platform linux/arm64 --images-file imageList
  hub-save --dir ./registry --plain-http 127.0.0.1:5000 --all-platforms --json 127.0.0.1:5000/app:v1
  docker-registry serve config.yml   # with storage.filesystem.rootdirectory: ./registry
`;

export type { CliIo } from '@hub/api-types/cli';

/** Runs `hub-save` with `argv` (without node and script); resolves to the exit code (0, 1, or 2 on bad usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parse(argv));
  } catch (error) {
    return reportUsage(io, 'hub-save', (error as Error).message);
  }
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const usage = (problem: string) => reportUsage(io, 'hub-save', problem);
  if (!values.dir) return usage('--dir <path> is required.');
  const chosen = [
    values.arch !== undefined,
    (values.platform?.length ?? 0) > 0,
    values['all-platforms'] === true,
  ].filter(Boolean).length;
  if (chosen > 1) return usage('use only one of --arch, --platform, --all-platforms.');
  try {
    for (const p of values.platform ?? []) parsePlatform(p);
    if (values.arch !== undefined) parsePlatform(`linux/${values.arch}`);
  } catch (error) {
    if (isPlatformError(error)) return usage(error.message);
    throw error;
  }
  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      return usage('--concurrency must be an integer from 1 to 64.');
  }
  const mirrors = new Map<string, string>();
  for (const value of values['registry-mirror'] ?? []) {
    const mirror = parseRegistryMirror(value);
    if (mirror === undefined)
      return usage(
        `--registry-mirror ${value}: write <registry>=<host[:port]>, e.g. docker.io=mirror.local:5000.`,
      );
    mirrors.set(mirror.registry, mirror.host);
  }
  const images = [...positionals];
  if (values['images-file']) {
    try {
      images.push(...(await readImageList(values['images-file'])));
    } catch {
      return usage(`cannot read --images-file ${values['images-file']}.`);
    }
  }
  if (images.length === 0) return usage('no images given (pass references or --images-file).');

  const json = values.json === true;
  // Progress is for people on a terminal; without one, plain milestone lines; with --json, only NDJSON.
  const progress = json ? undefined : createProgressRenderer(io.stderr, io.isTTY);
  const onEvent = (e: SaveEvent) => {
    if (json) io.stdout.write(`${JSON.stringify(e)}\n`);
    else progress?.(e);
  };
  const opts: SaveImagesOptions = {
    images,
    dir: values.dir,
    onEvent,
    ...(values.arch ? { arch: values.arch } : {}),
    ...(values.platform?.length ? { platforms: values.platform } : {}),
    ...(values['all-platforms'] ? { allPlatforms: true } : {}),
    ...(values['filtered-index'] ? { filteredIndex: true } : {}),
    ...(values['include-attestations'] ? { includeAttestations: true } : {}),
    ...(values['include-referrers'] ? { includeReferrers: true } : {}),
    ...(values['keep-registry-host'] ? { keepRegistryHost: true } : {}),
    ...(mirrors.size > 0 ? { registryMirrors: Object.fromEntries(mirrors) } : {}),
    ...(values['plain-http']?.length ? { plainHttp: values['plain-http'] } : {}),
    ...(values['insecure-skip-tls-verify']?.length
      ? { insecureSkipTlsVerify: values['insecure-skip-tls-verify'] }
      : {}),
    ...(concurrency ? { concurrency } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  };
  let result: SaveImagesResult;
  try {
    // Loaded only for real work: --help and usage errors never load the HTTP stack (undici).
    const { saveImages } = await import('../save/save-images.ts');
    result = await saveImages(opts);
  } catch (error) {
    const e = toHubError(error);
    io.stderr.write(`hub-save: ${e.message} [${e.code}]\n`);
    return 1;
  }
  writeResult(io, result, json);
  return result.summary.failed === 0 ? 0 : 1;
}

function writeResult(io: CliIo, result: SaveImagesResult, json: boolean): void {
  const { summary } = result;
  if (json) {
    io.stdout.write(
      `${JSON.stringify({
        type: 'summary',
        ...summary,
        images: result.images.map((r) => ({
          reference: r.reference,
          status: r.status,
          repository: r.repository,
          ...(r.tag ? { tag: r.tag } : {}),
          ...(r.shortName && r.status === 'saved' ? { shortName: r.shortName } : {}),
          ...(r.digest ? { digest: r.digest } : {}),
          ...(r.upToDate ? { upToDate: true } : {}),
          ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
        })),
      })}\n`,
    );
    return;
  }
  for (const r of result.images) {
    // The SaveError message starts with the reference: the line names it once.
    if (r.status === 'failed')
      io.stderr.write(
        `hub-save: FAILED ${r.error?.message ?? r.reference} [${r.error?.code ?? 'INTERNAL'}]\n`,
      );
  }
  io.stdout.write(
    `${summary.saved}/${summary.images} images saved (${summary.upToDate} up to date), ${formatBytes(summary.bytesFetched)} fetched, ` +
      `${summary.blobsFetched} blobs fetched, ${summary.blobsSkipped} already present, ${summary.blobsLinked} links, ${(summary.durationMs / 1000).toFixed(1)} s\n`,
  );
}

/** `docker.io=mirror.local:5000`: the registry as image references name it (Docker Hub's aliases are `docker.io`). */
function parseRegistryMirror(value: string): { registry: string; host: string } | undefined {
  const match = /^([^=/\s]+)=([^=/\s]+)$/.exec(value);
  if (!match) return undefined;
  const registry = (match[1] as string).toLowerCase();
  const dockerHub = registry === 'index.docker.io' || registry === 'registry-1.docker.io';
  return { registry: dockerHub ? 'docker.io' : registry, host: (match[2] as string).toLowerCase() };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      dir: { type: 'string' },
      'images-file': { type: 'string' },
      arch: { type: 'string' },
      platform: { type: 'string', multiple: true },
      'all-platforms': { type: 'boolean' },
      'filtered-index': { type: 'boolean' },
      'include-attestations': { type: 'boolean' },
      'include-referrers': { type: 'boolean' },
      'keep-registry-host': { type: 'boolean' },
      'plain-http': { type: 'string', multiple: true },
      'registry-mirror': { type: 'string', multiple: true },
      'insecure-skip-tls-verify': { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

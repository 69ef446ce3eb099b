import { formatImageReference, parseImageReference, README_MAX_BYTES, truncateUtf8 } from '@hub/api-types';
import type { RegistryAuth } from '../auth/registry-auth.ts';
import {
  type PlatformSpec,
  parsePlatform,
  platformMatches,
  selectIndexChildren,
} from '../platform/platform.ts';
import {
  type Descriptor,
  isForeignLayer,
  MediaType,
  type ParsedManifest,
  parseManifest,
} from '../registry/media-types.ts';
import { RegistryClient } from '../registry/registry-client.ts';
import type { TransportOptions } from '../registry/transport.ts';
import { type ImageMetadata, imageMetadata } from './image-labels.ts';
import { type ImageSource, registrySource, storageSource } from './image-source.ts';
import { InspectError } from './inspect-error.ts';
import { findLayerFiles, type WalkResult } from './layer-walker.ts';

/** The README path at the root of the image filesystem. */
export const README_PATH = 'README.md';
/** The sealos CLI's Image fragment inside an image. */
export const METADATA_CONFIG_PATH = 'metadata/config.yaml';
/** Default cut of a README kept in an Image (`detail.docs`): the project's one README limit. */
export const DEFAULT_README_MAX_BYTES = README_MAX_BYTES;
const METADATA_CONFIG_MAX_BYTES = 64 * 1024;
const CONFIG_MAX_BYTES = 4 * 1024 * 1024;
/** The platform chosen from an index when none is asked for: the same on every machine. */
export const DEFAULT_INSPECT_PLATFORM: PlatformSpec = { os: 'linux', architecture: 'amd64' };

/** Options of {@link inspectImage}. */
export interface InspectImageOptions extends TransportOptions {
  /**
   * The platform to inspect in a multi-platform index (`linux/arm64`); an index without it fails
   * with PLATFORM_NOT_FOUND. Default: linux/amd64, else the index's first image.
   */
  platform?: string | PlatformSpec;
  /** Read from this hub-save storage directory instead of the registry (the reference's host is ignored). */
  storageDir?: string;
  /** Reuse a client (its transport options win over the ones here). */
  client?: RegistryClient;
  /** Authentication (default: docker config.json); `false` for none. */
  auth?: RegistryAuth | false;
  /**
   * Most UTF-8 bytes of README text kept (default `README_MAX_BYTES` of @hub/api-types, 256 KiB);
   * a longer README is cut with a note, the note counted in the limit.
   */
  readmeMaxBytes?: number;
  /** Also look for `metadata/config.yaml` in the README's layer and above (default true). */
  metadataConfig?: boolean;
  /** Compressed layer bytes read at most per image (default 256 MiB). */
  maxScanBytes?: number;
  /** Whole-inspection deadline in milliseconds (default 120 000). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A file read out of the image filesystem. */
export interface ImageFile {
  text: string;
  /** Full size in the image, in bytes. */
  size: number;
  /** True when `text` holds only the first bytes (plus, for the README, a note saying so). */
  truncated: boolean;
  /** Digest of the layer it came from. */
  layer: string;
}

/** What {@link inspectImage} found. */
export interface ImageInspection {
  /** The reference inspected, fully qualified. */
  reference: string;
  registry: string;
  repository: string;
  tag?: string;
  /** Digest of the image manifest inspected (the chosen child of an index). */
  digest: string;
  /** Digest of the index the image was chosen from, if any. */
  indexDigest?: string;
  /**
   * Every platform the reference serves, `os/arch[/variant]`: the index's children (attestations
   * left out), or the one image's own platform.
   */
  platforms: string[];
  os: string;
  architecture: string;
  variant?: string;
  /** The config's `created`, when it is a valid time. */
  created?: string;
  /** The image ID: the config digest. */
  id: string;
  /** Sum of the layer sizes (compressed, as stored). */
  size: number;
  layers: number;
  /** Config labels. */
  labels: Record<string, string>;
  /** Manifest annotations (over the index entry's and the index's). */
  annotations: Record<string, string>;
  /** Title, description, url, icon, keywords… from labels and annotations. */
  metadata: ImageMetadata;
  readme?: ImageFile;
  metadataConfig?: ImageFile;
  /** How much of the layers was read. */
  scan: {
    layersRead: number;
    bytesRead: number;
    /** False when the byte budget ended the walk before the README was settled. */
    complete: boolean;
  };
}

/**
 * Inspects an image for the catalogue without pulling it: the manifest (an index's child for
 * `platform`), the config (os, arch, created, labels, ID) and, streamed from the top layer down,
 * `/README.md` and `metadata/config.yaml` as an overlay filesystem shows them (whiteouts honoured).
 * The walk stops inside the layer where the README is settled, so an image whose README sits in
 * its top layer costs one partial blob read; nothing is written to disk.
 */
export async function inspectImage(ref: string, options: InspectImageOptions = {}): Promise<ImageInspection> {
  const parsed = parseImageReference(ref);
  if (!parsed.success)
    throw new InspectError(
      'INVALID_REFERENCE',
      `"${ref}" is not an image reference: ${parsed.error.message}`,
      {
        reference: ref,
        cause: parsed.error,
      },
    );
  const image = parsed.data;
  const reference = formatImageReference(image);
  for (const key of ['readmeMaxBytes', 'maxScanBytes', 'timeoutMs'] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0))
      throw new InspectError('INVALID_OPTION', `${key} must be a positive integer, not ${v}.`, {
        reference: ref,
      });
  }
  const wanted = resolvePlatform(options.platform, ref);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 120_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const ownClient = !options.client && !options.storageDir;
  const client =
    options.client ??
    (options.storageDir
      ? undefined
      : new RegistryClient({
          ...transportOf(options),
          userAgent: 'hub-inspect',
          ...(options.auth === undefined ? {} : { auth: options.auth }),
        }));
  const source: ImageSource = options.storageDir
    ? storageSource(options.storageDir, image.repository, reference)
    : registrySource(
        client as RegistryClient,
        { registry: image.registry, repository: image.repository },
        reference,
      );
  try {
    return await inspectFrom(source, image, reference, wanted, options, signal);
  } catch (error) {
    if (timeout.aborted && !options.signal?.aborted)
      throw new InspectError(
        'TIMEOUT',
        `Inspecting ${reference} took over ${options.timeoutMs ?? 120_000} ms.`,
        {
          reference,
          cause: error,
          retryable: true,
        },
      );
    if (error instanceof InspectError) throw error;
    if (signal.aborted)
      throw new InspectError('ABORTED', `Inspecting ${reference} was cancelled.`, {
        reference,
        cause: error,
      });
    throw error;
  } finally {
    if (ownClient) await client?.close();
  }
}

/** Only the transport settings of the options go to a client this function creates. */
function transportOf(options: InspectImageOptions): TransportOptions {
  const {
    platform: _p,
    storageDir: _d,
    client: _c,
    auth: _a,
    readmeMaxBytes: _r,
    metadataConfig: _m,
    maxScanBytes: _s,
    timeoutMs: _t,
    signal: _g,
    ...transport
  } = options;
  return transport;
}

function resolvePlatform(platform: InspectImageOptions['platform'], ref: string): PlatformSpec | undefined {
  if (platform === undefined) return undefined;
  if (typeof platform !== 'string') return platform;
  try {
    return parsePlatform(platform);
  } catch (cause) {
    throw new InspectError('INVALID_PLATFORM', (cause as Error).message, { reference: ref, cause });
  }
}

async function inspectFrom(
  source: ImageSource,
  image: { registry: string; repository: string; tag?: string; digest?: string },
  reference: string,
  wanted: PlatformSpec | undefined,
  options: InspectImageOptions,
  signal: AbortSignal,
): Promise<ImageInspection> {
  const top = await source.getManifest(image.digest ?? image.tag ?? 'latest', signal);
  let manifest = parse(top.bytes, top.mediaType, reference);
  let digest = top.digest;
  let indexDigest: string | undefined;
  let annotations: Record<string, string> = {};
  let platforms: string[] | undefined;
  if (manifest.kind === 'index') {
    indexDigest = top.digest;
    platforms = platformNames(manifest.manifests);
    const child = chooseChild(manifest.manifests, wanted, reference);
    annotations = { ...manifest.annotations, ...child.annotations };
    const fetched = await source.getManifest(child.digest, signal);
    manifest = parse(fetched.bytes, fetched.mediaType || child.mediaType, reference);
    digest = child.digest;
    if (manifest.kind === 'index')
      throw new InspectError(
        'NOT_AN_IMAGE',
        `${reference} nests an index inside an index; inspect a child by digest.`,
        {
          reference,
          digest,
        },
      );
  }
  annotations = { ...annotations, ...manifest.annotations };
  const configType = manifest.config.mediaType;
  if (configType !== MediaType.OciConfig && configType !== MediaType.DockerConfig)
    throw new InspectError(
      'NOT_AN_IMAGE',
      `${reference} is an artifact (config ${configType || 'without a media type'}), not a container image.`,
      { reference, digest },
    );
  const config = parseConfig(
    await source.readBlob(manifest.config.digest, CONFIG_MAX_BYTES, signal),
    reference,
    manifest.config.digest,
  );
  if (wanted && !platformMatches(wanted, config.platform) && !indexDigest)
    throw new InspectError(
      'PLATFORM_NOT_FOUND',
      `${reference} is a ${config.platform.os}/${config.platform.architecture} image, not ${wanted.os}/${wanted.architecture}.`,
      { reference, digest },
    );

  const readmeMax = options.readmeMaxBytes ?? DEFAULT_README_MAX_BYTES;
  const queries = [{ path: README_PATH, maxBytes: readmeMax }];
  if (options.metadataConfig !== false)
    queries.push({ path: METADATA_CONFIG_PATH, maxBytes: METADATA_CONFIG_MAX_BYTES });
  // Foreign layers are fetched from their URLs by clients (the one rule, isForeignLayer); skip them.
  const layers = manifest.layers.filter((l) => !isForeignLayer(l)).reverse();
  let walk: WalkResult;
  try {
    walk = await findLayerFiles(
      layers.map((l) => ({ digest: l.digest, open: () => source.openBlob(l.digest, signal) })),
      queries,
      { boundBy: README_PATH, maxScanBytes: options.maxScanBytes ?? 256 * 1024 * 1024, signal },
    );
  } catch (error) {
    if (error instanceof InspectError || signal.aborted) throw error;
    throw new InspectError(
      'LAYER_INVALID',
      `A layer of ${reference} is not a readable tar (gzip, zstd or plain): ${(error as Error).message}.`,
      {
        reference,
        cause: error,
      },
    );
  }
  const readme = walk.files.get(README_PATH);
  const meta = walk.files.get(METADATA_CONFIG_PATH);
  const out: ImageInspection = {
    reference,
    registry: image.registry,
    repository: image.repository,
    ...(image.tag ? { tag: image.tag } : {}),
    digest,
    ...(indexDigest ? { indexDigest } : {}),
    platforms: platforms ?? platformNames([{ platform: config.platform }]),
    os: config.platform.os,
    architecture: config.platform.architecture,
    ...(config.platform.variant ? { variant: config.platform.variant } : {}),
    ...(config.created ? { created: config.created } : {}),
    id: manifest.config.digest,
    size: manifest.layers.reduce((sum, l) => sum + l.size, 0),
    layers: manifest.layers.length,
    labels: config.labels,
    annotations,
    metadata: imageMetadata(config.labels, annotations),
    scan: { layersRead: walk.layersRead, bytesRead: walk.bytesRead, complete: walk.stop !== 'budget' },
  };
  if (readme) out.readme = textFile(readme, readmeMax, true);
  if (meta && !meta.truncated) out.metadataConfig = textFile(meta, METADATA_CONFIG_MAX_BYTES, false);
  return out;
}

function parse(bytes: Uint8Array, mediaType: string, reference: string): ParsedManifest {
  try {
    return parseManifest(bytes, mediaType);
  } catch (cause) {
    throw new InspectError('NOT_AN_IMAGE', `${reference}: ${(cause as Error).message}`, { reference, cause });
  }
}

/** `os/arch[/variant]` of each child with a real platform (attestation manifests say `unknown`). */
function platformNames(children: readonly Pick<Descriptor, 'platform'>[]): string[] {
  return children
    .filter((d) => d.platform && d.platform.os !== 'unknown')
    .map(
      (d) =>
        `${d.platform?.os}/${d.platform?.architecture}${d.platform?.variant ? `/${d.platform.variant}` : ''}`,
    );
}

function chooseChild(
  children: readonly Descriptor[],
  wanted: PlatformSpec | undefined,
  reference: string,
): Descriptor {
  const images = children.filter((d) => d.platform);
  const pick = selectIndexChildren(images, { platforms: [wanted ?? DEFAULT_INSPECT_PLATFORM] })[0];
  if (pick) return pick;
  const available = images
    .filter((d) => d.platform && d.platform.os !== 'unknown')
    .map(
      (d) =>
        `${d.platform?.os}/${d.platform?.architecture}${d.platform?.variant ? `/${d.platform.variant}` : ''}`,
    );
  if (wanted || available.length === 0)
    throw new InspectError(
      'PLATFORM_NOT_FOUND',
      `${reference} has no ${wanted ? `${wanted.os}/${wanted.architecture}` : 'image'} entry; it offers ${available.join(', ') || 'none'}.`,
      { reference },
    );
  const first = images.find((d) => d.platform?.os !== 'unknown');
  return first as Descriptor;
}

interface ParsedConfig {
  platform: { os: string; architecture: string; variant?: string };
  created?: string;
  labels: Record<string, string>;
}

function parseConfig(bytes: Uint8Array, reference: string, digest: string): ParsedConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new InspectError('CONFIG_INVALID', `The config ${digest} of ${reference} is not JSON.`, {
      reference,
      digest,
      cause,
    });
  }
  if (typeof doc !== 'object' || doc === null)
    throw new InspectError('CONFIG_INVALID', `The config ${digest} of ${reference} is not a JSON object.`, {
      reference,
      digest,
    });
  const c = doc as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const inner = (typeof c.config === 'object' && c.config !== null ? c.config : {}) as Record<
    string,
    unknown
  >;
  const labels: Record<string, string> = {};
  if (typeof inner.Labels === 'object' && inner.Labels !== null)
    for (const [k, v] of Object.entries(inner.Labels)) if (typeof v === 'string') labels[k] = v;
  const created = str(c.created);
  const variant = str(c.variant);
  return {
    platform: {
      os: str(c.os) ?? 'unknown',
      architecture: str(c.architecture) ?? 'unknown',
      ...(variant ? { variant } : {}),
    },
    ...(created && !Number.isNaN(Date.parse(created)) ? { created } : {}),
    labels,
  };
}

function textFile(
  file: { content: Buffer; size: number; truncated: boolean; layer: string },
  max: number,
  note: boolean,
): ImageFile {
  let text = new TextDecoder('utf-8', { fatal: false }).decode(file.content);
  if (file.truncated) {
    // A cut can split a UTF-8 sequence; drop the replacement character it leaves.
    text = text.replace(/\uFFFD$/, '');
    const noteOf = (shown: number) =>
      `\n\n---\n\n*This README was cut: the image's README.md is ${file.size} bytes; the first ${shown} are shown.*\n`;
    // The note fits inside the limit, so docs stays within the CRD's maxLength; a limit too small
    // to hold it keeps the bare cut.
    const room = max - Buffer.byteLength(noteOf(max));
    if (note && room >= Buffer.byteLength(noteOf(max))) {
      text = truncateUtf8(text, room);
      text += noteOf(Buffer.byteLength(text));
    }
  }
  return { text, size: file.size, truncated: file.truncated, layer: file.layer };
}

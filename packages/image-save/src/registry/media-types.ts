import { RegistryError } from './registry-error.ts';

/** Media types of the manifests and artifacts the client understands. */
export const MediaType = {
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  HelmConfig: 'application/vnd.cncf.helm.config.v1+json',
  HelmChartContent: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  HelmProvenance: 'application/vnd.cncf.helm.chart.provenance.v1.prov',
} as const;

/** Every manifest media type sent in `Accept` (schema 1 deliberately absent). */
export const MANIFEST_ACCEPT: readonly string[] = [
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
];

/** An OCI/Docker platform object as found in index entries. */
export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** A content descriptor (OCI image-spec). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

/** A parsed index (OCI index or Docker manifest list). */
export interface ParsedIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A parsed image or artifact manifest (OCI manifest or Docker v2 manifest). */
export interface ParsedImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  artifactType?: string;
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** Result of {@link parseManifest}. */
export type ParsedManifest = ParsedIndex | ParsedImageManifest;

const INDEX_TYPES = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList]);
const MANIFEST_TYPES = new Set<string>([MediaType.OciManifest, MediaType.DockerManifest]);

/**
 * The one foreign-layer rule: a layer is fetched from its `urls`, not from the registry, when its media
 * type is non-distributable (Docker's foreign layer, OCI's deprecated nondistributable layers) AND it has
 * URLs, as the distribution registry decides when it accepts such a manifest. A URL on an ordinary
 * layer is only an alternate location (the registry still serves it), and a non-distributable layer
 * without URLs can only come from the registry.
 */
export function isForeignLayer(d: Descriptor): boolean {
  return (d.urls?.length ?? 0) > 0 && /\.(foreign|nondistributable)\./.test(d.mediaType);
}

/** True for OCI index / Docker manifest list media types. */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_TYPES.has(mediaType);
}

/** True for OCI image manifest / Docker v2 manifest media types. */
export function isImageManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && MANIFEST_TYPES.has(mediaType);
}

/**
 * Parses manifest bytes into an index or an image manifest, with the blob and child descriptors.
 * `contentType` is the HTTP Content-Type; the document's own `mediaType` wins when present, and an
 * empty one is resolved by shape (`manifests` means index), as the distribution registry does.
 * Schema 1 manifests are rejected with code `schema1-unsupported`.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new RegistryError('MANIFEST_INVALID', 'The manifest is not valid JSON.', { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new RegistryError('MANIFEST_INVALID', 'The manifest is not a JSON object.');
  }
  const obj = doc as Record<string, unknown>;
  const declared = typeof obj.mediaType === 'string' && obj.mediaType !== '' ? obj.mediaType : undefined;
  const header = contentType?.split(';')[0]?.trim();
  if (
    obj.schemaVersion === 1 ||
    header === MediaType.DockerSchema1 ||
    header === MediaType.DockerSchema1Signed ||
    declared === MediaType.DockerSchema1 ||
    declared === MediaType.DockerSchema1Signed
  ) {
    throw new RegistryError(
      'SCHEMA1_UNSUPPORTED',
      'This is a Docker schema 1 manifest, which is deprecated and not supported; push the image again with a current client to get a schema 2 or OCI manifest.',
    );
  }
  const annotations = stringRecord(obj.annotations);
  const subject = obj.subject === undefined ? undefined : descriptor(obj.subject, 'subject');
  const looksLikeIndex = Array.isArray(obj.manifests);
  const mediaType =
    declared ??
    (header && (INDEX_TYPES.has(header) || MANIFEST_TYPES.has(header))
      ? header
      : looksLikeIndex
        ? MediaType.OciIndex
        : MediaType.OciManifest);
  if (INDEX_TYPES.has(mediaType)) {
    if (!looksLikeIndex)
      throw new RegistryError('MANIFEST_INVALID', `An index (${mediaType}) has no "manifests" array.`);
    return {
      kind: 'index',
      mediaType,
      manifests: (obj.manifests as unknown[]).map((d, i) => descriptor(d, `manifests[${i}]`)),
      ...(subject ? { subject } : {}),
      ...(annotations ? { annotations } : {}),
    };
  }
  if (MANIFEST_TYPES.has(mediaType)) {
    if (!Array.isArray(obj.layers) && obj.config === undefined) {
      throw new RegistryError(
        'MANIFEST_INVALID',
        `A manifest (${mediaType}) has neither "config" nor "layers".`,
      );
    }
    const layers = Array.isArray(obj.layers) ? obj.layers.map((d, i) => descriptor(d, `layers[${i}]`)) : [];
    return {
      kind: 'manifest',
      mediaType,
      config: descriptor(obj.config, 'config'),
      layers,
      ...(typeof obj.artifactType === 'string' ? { artifactType: obj.artifactType } : {}),
      ...(subject ? { subject } : {}),
      ...(annotations ? { annotations } : {}),
    };
  }
  throw new RegistryError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Manifest media type "${mediaType}" is not supported; expected an OCI or Docker v2 manifest or index.`,
  );
}

/** Every blob (config + layers) a parsed image manifest references. */
export function manifestBlobs(manifest: ParsedImageManifest): Descriptor[] {
  return [manifest.config, ...manifest.layers];
}

function descriptor(value: unknown, where: string): Descriptor {
  if (typeof value !== 'object' || value === null) {
    throw new RegistryError('MANIFEST_INVALID', `Descriptor ${where} is missing or not an object.`);
  }
  const d = value as Record<string, unknown>;
  if (
    typeof d.digest !== 'string' ||
    typeof d.size !== 'number' ||
    !Number.isSafeInteger(d.size) ||
    d.size < 0
  ) {
    throw new RegistryError('MANIFEST_INVALID', `Descriptor ${where} lacks a valid digest or size.`);
  }
  const out: Descriptor = {
    mediaType: typeof d.mediaType === 'string' ? d.mediaType : '',
    digest: d.digest,
    size: d.size,
  };
  if (Array.isArray(d.urls)) out.urls = d.urls.filter((u): u is string => typeof u === 'string');
  const ann = stringRecord(d.annotations);
  if (ann) out.annotations = ann;
  if (typeof d.artifactType === 'string') out.artifactType = d.artifactType;
  if (typeof d.platform === 'object' && d.platform !== null) {
    const p = d.platform as Record<string, unknown>;
    if (typeof p.os === 'string' && typeof p.architecture === 'string') {
      out.platform = { os: p.os, architecture: p.architecture };
      if (typeof p.variant === 'string' && p.variant !== '') out.platform.variant = p.variant;
      if (typeof p['os.version'] === 'string') out.platform['os.version'] = p['os.version'];
    }
  }
  return out;
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

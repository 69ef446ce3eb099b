import { createHash } from 'node:crypto';
import {
  EPOCH,
  formatImageHubName,
  ICON_MAX_LENGTH,
  IMAGEHUB_API_VERSION,
  type ImageHubName,
  imageLabels,
  imageMetadataName,
} from '@hub/api-types';
import type { ImageInspection } from '@hub/image-save';
import { parse as parseYaml } from 'yaml';
import { IndexError } from './index-error.ts';

/** The field manager of every write hub-index makes (server-side apply). */
export const INDEX_FIELD_MANAGER = 'hub-index';
/** Label marking Images hub-index wrote; `--prune` deletes only these. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Where an indexed Image came from (`127.0.0.1:5000/org/app:v1`, or `dir:/path` + repo:tag). */
export const SOURCE_ANNOTATION = 'index.imagehub.sealos.io/source';
/** The manifest digest the Image describes. */
export const DIGEST_ANNOTATION = 'index.imagehub.sealos.io/digest';

/**
 * A hash of everything an indexed Image is made from: the digest the tag points at and the run's
 * inputs (source, platform, type, `--readme` text). When it still matches, the image is not re-read.
 */
export const FINGERPRINT_ANNOTATION = 'index.imagehub.sealos.io/fingerprint';

/** The `spec.detail` fields hub-index sets; the rest of the detail belongs to others. */
export const INDEXED_DETAIL_FIELDS = [
  'keywords',
  'description',
  'icon',
  'docs',
  'url',
  'ID',
  'arch',
  'digest',
  'platforms',
  'size',
  'creatTime',
] as const;

/** An Image as hub-index applies it (server-side apply body). */
export interface IndexedImage {
  apiVersion: typeof IMAGEHUB_API_VERSION;
  kind: 'Image';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { name: string; type?: string; detail: Record<string, unknown> };
}

/** What a `metadata/config.yaml` contributes (the sealos CLI's starting point). */
export interface MetadataConfig {
  type?: string;
  description?: string;
  icon?: string;
  url?: string;
  docs?: string;
  keywords?: string[];
}

/**
 * Reads `metadata/config.yaml`: either an Image object (`spec.type`, `spec.detail`), as the sealos
 * CLI wrote it, or a bare detail map. Only the descriptive fields are taken; ID, arch, size and
 * creatTime always come from the image config.
 */
export function parseMetadataConfig(text: string, reference: string): MetadataConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 50 });
  } catch (cause) {
    throw new IndexError(
      'METADATA_CONFIG_INVALID',
      `metadata/config.yaml of ${reference} is not valid YAML.`,
      {
        reference,
        cause,
      },
    );
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new IndexError(
      'METADATA_CONFIG_INVALID',
      `metadata/config.yaml of ${reference} is not a YAML map.`,
      {
        reference,
      },
    );
  const root = doc as Record<string, unknown>;
  const spec = isRecord(root.spec) ? root.spec : undefined;
  const detail = spec && isRecord(spec.detail) ? spec.detail : spec ? {} : root;
  const out: MetadataConfig = {};
  const type = spec?.type ?? root.type;
  if (typeof type === 'string' && type !== '') out.type = type;
  for (const key of ['description', 'icon', 'url', 'docs'] as const) {
    const v = detail[key];
    if (typeof v === 'string' && v !== '') out[key] = v;
  }
  if (Array.isArray(detail.keywords))
    out.keywords = detail.keywords.filter((k): k is string => typeof k === 'string' && k !== '');
  return out;
}

/** Inputs of {@link buildIndexedImage} besides the inspection. */
export interface BuildImageInput {
  name: ImageHubName;
  /** Where the image was read (goes in an annotation). */
  source: string;
  /** README text from `--readme`, used when the image has none. */
  readme?: string;
  /** `--type`, which wins over metadata/config.yaml and the label. */
  type?: string;
  /** See {@link FINGERPRINT_ANNOTATION}. */
  fingerprint?: string;
}

/** The fingerprint of an indexed image (see {@link FINGERPRINT_ANNOTATION}). */
export function indexFingerprint(input: {
  topDigest: string;
  source: string;
  platform?: string | undefined;
  type?: string | undefined;
  readme?: string | undefined;
}): string {
  // Bumped when what an Image holds changes (3: digest and platforms), so every Image is rewritten once.
  const parts = [
    3,
    input.topDigest,
    input.source,
    input.platform ?? '',
    input.type ?? '',
    input.readme ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/**
 * The Image for one inspected tag. Precedence: docs from the image's README.md, else `--readme`,
 * else metadata/config.yaml; description, url, icon, keywords and type from metadata/config.yaml,
 * else the OCI annotations and labels; ID, arch, size and creatTime from the config.
 */
export function buildIndexedImage(inspection: ImageInspection, input: BuildImageInput): IndexedImage {
  const meta = inspection.metadataConfig
    ? parseMetadataConfig(inspection.metadataConfig.text, inspection.reference)
    : {};
  const m = inspection.metadata;
  const detail: Record<string, unknown> = {};
  const keywords = meta.keywords ?? m.keywords;
  if (keywords.length > 0) detail.keywords = keywords;
  const description = meta.description ?? m.description ?? m.title;
  if (description) detail.description = description;
  const icon = meta.icon ?? m.icon;
  // An icon over the CRD's maxLength would fail the whole apply; without one the store shows a placeholder.
  if (icon && icon.length <= ICON_MAX_LENGTH) detail.icon = icon;
  const docs = inspection.readme?.text ?? input.readme ?? meta.docs;
  if (docs) detail.docs = docs;
  const url = meta.url ?? m.url ?? m.documentation ?? m.source;
  if (url) detail.url = url;
  detail.ID = inspection.id;
  detail.arch = inspection.architecture;
  // Pulling by the top digest gets every platform of a multi-platform image.
  detail.digest = inspection.indexDigest ?? inspection.digest;
  if (inspection.platforms.length > 0) detail.platforms = inspection.platforms;
  detail.size = inspection.size;
  detail.creatTime = normalizeTime(inspection.created);
  const type = input.type ?? meta.type ?? m.type;
  const { labels, annotations } = imageLabels(input.name);
  return {
    apiVersion: IMAGEHUB_API_VERSION,
    kind: 'Image',
    metadata: {
      name: imageMetadataName(input.name),
      labels: { ...labels, [MANAGED_BY_LABEL]: INDEX_FIELD_MANAGER },
      annotations: {
        ...annotations,
        [SOURCE_ANNOTATION]: input.source,
        [DIGEST_ANNOTATION]: inspection.digest,
        ...(input.fingerprint ? { [FINGERPRINT_ANNOTATION]: input.fingerprint } : {}),
      },
    },
    spec: { name: formatImageHubName(input.name), ...(type ? { type } : {}), detail },
  };
}

/** RFC 3339 in whole seconds (what metav1.Time round-trips), or the epoch default. */
function normalizeTime(created: string | undefined): string {
  if (created === undefined) return EPOCH;
  const ms = Date.parse(created);
  if (Number.isNaN(ms)) return EPOCH;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

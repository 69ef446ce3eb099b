/** The OCI pre-defined annotation keys the catalogue reads (image-spec annotations.md), as labels or annotations. */
export const OCI_ANNOTATIONS = {
  title: 'org.opencontainers.image.title',
  description: 'org.opencontainers.image.description',
  url: 'org.opencontainers.image.url',
  source: 'org.opencontainers.image.source',
  documentation: 'org.opencontainers.image.documentation',
  licenses: 'org.opencontainers.image.licenses',
  version: 'org.opencontainers.image.version',
  created: 'org.opencontainers.image.created',
} as const;

/** Icon URL shown in the catalogue (`LABEL io.sealos.imagehub.icon=https://…/icon.png`). */
export const HUB_ICON_LABEL = 'io.sealos.imagehub.icon';
/** Comma-separated keywords (`LABEL io.sealos.imagehub.keywords="Database,mysql"`). */
export const HUB_KEYWORDS_LABEL = 'io.sealos.imagehub.keywords';
/** Image type: `cluster-image` or `cloud-image` (`spec.type` of the Image). */
export const HUB_TYPE_LABEL = 'io.sealos.imagehub.type';

/** What the catalogue takes from an image's labels and annotations. */
export interface ImageMetadata {
  title?: string;
  description?: string;
  url?: string;
  source?: string;
  documentation?: string;
  licenses?: string;
  version?: string;
  icon?: string;
  /** From {@link HUB_KEYWORDS_LABEL}: trimmed, empty ones dropped, duplicates removed, order kept. */
  keywords: string[];
  type?: string;
}

/** Splits a keywords label (`a, b,,c`) into `["a", "b", "c"]`. */
export function parseKeywords(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const k = part.trim();
    if (k !== '' && !out.includes(k)) out.push(k);
  }
  return out;
}

/**
 * The catalogue metadata of an image. Manifest annotations win over config labels: labels are
 * inherited from base images (an `ubuntu` description), annotations describe this very manifest.
 */
export function imageMetadata(
  labels: Readonly<Record<string, string>>,
  annotations: Readonly<Record<string, string>> = {},
): ImageMetadata {
  const pick = (key: string): string | undefined => {
    const v = annotations[key] ?? labels[key];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const out: ImageMetadata = { keywords: parseKeywords(pick(HUB_KEYWORDS_LABEL)) };
  for (const [field, key] of Object.entries(OCI_ANNOTATIONS)) {
    if (field === 'created') continue;
    const v = pick(key);
    if (v !== undefined) out[field as Exclude<keyof typeof OCI_ANNOTATIONS, 'created'>] = v;
  }
  const icon = pick(HUB_ICON_LABEL);
  if (icon !== undefined) out.icon = icon;
  const type = pick(HUB_TYPE_LABEL);
  if (type !== undefined) out.type = type;
  return out;
}

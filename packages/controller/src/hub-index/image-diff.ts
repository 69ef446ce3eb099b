import { isDeepStrictEqual } from 'node:util';
import {
  FINGERPRINT_ANNOTATION,
  INDEX_FIELD_MANAGER,
  INDEXED_DETAIL_FIELDS,
  type IndexedImage,
} from './image-object.ts';

/** The parts of a live Image the comparison reads. */
export interface LiveImage {
  metadata?: {
    name?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager?: string; operation?: string; fieldsV1?: unknown }[];
  };
  spec?: { name?: string; type?: string; detail?: Record<string, unknown> };
}

/**
 * True when applying `desired` would change nothing: every field hub-index sends already has that
 * value, and no field hub-index set before (per managedFields) would be dropped. This is what keeps
 * a second run at zero writes, whatever other managers (webhooks, the controller) add.
 */
export function isUpToDate(live: LiveImage | undefined, desired: IndexedImage): boolean {
  if (!live?.metadata || !live.spec) return false;
  const labels = live.metadata.labels ?? {};
  const annotations = live.metadata.annotations ?? {};
  for (const [k, v] of Object.entries(desired.metadata.labels)) if (labels[k] !== v) return false;
  for (const [k, v] of Object.entries(desired.metadata.annotations)) if (annotations[k] !== v) return false;
  if (live.spec.name !== desired.spec.name) return false;
  if (desired.spec.type !== undefined && live.spec.type !== desired.spec.type) return false;
  const detail = live.spec.detail ?? {};
  for (const [k, v] of Object.entries(desired.spec.detail))
    if (!isDeepStrictEqual(detail[k], v)) return false;
  // Fields we own but no longer send would be removed by the apply: that is a change.
  const owned = ownedFields(live);
  for (const k of owned.detail) if (!(k in desired.spec.detail)) return false;
  if (owned.type && desired.spec.type === undefined) return false;
  for (const k of owned.labels) if (!(k in desired.metadata.labels)) return false;
  for (const k of owned.annotations) if (!(k in desired.metadata.annotations)) return false;
  return true;
}

/** The keys hub-index owns on a live object, read from its server-side apply managedFields. */
export function ownedFields(live: LiveImage): {
  detail: string[];
  labels: string[];
  annotations: string[];
  type: boolean;
} {
  const entry = live.metadata?.managedFields?.find(
    (f) => f.manager === INDEX_FIELD_MANAGER && f.operation === 'Apply',
  );
  const fields = (entry?.fieldsV1 ?? {}) as Record<
    string,
    Record<string, Record<string, unknown>> | undefined
  >;
  const keys = (o: unknown) =>
    o && typeof o === 'object'
      ? Object.keys(o)
          .filter((k) => k.startsWith('f:'))
          .map((k) => k.slice(2))
      : [];
  const meta = fields['f:metadata'] ?? {};
  const spec = fields['f:spec'] ?? {};
  return {
    detail: keys(spec['f:detail']),
    labels: keys(meta['f:labels']),
    annotations: keys(meta['f:annotations']),
    type: spec['f:type'] !== undefined,
  };
}

/**
 * True when `live` was made by hub-index from exactly these inputs (same fingerprint) and nobody
 * has taken over one of its indexed fields since (hub-index still owns every one present), so
 * re-reading the image would change nothing.
 */
export function isFreshIndex(live: LiveImage | undefined, fingerprint: string): boolean {
  if (live?.metadata?.annotations?.[FINGERPRINT_ANNOTATION] !== fingerprint) return false;
  const owned = new Set(ownedFields(live).detail);
  const detail = live.spec?.detail ?? {};
  return INDEXED_DETAIL_FIELDS.every((k) => !(k in detail) || owned.has(k));
}

import {
  IMAGEHUB_API_VERSION,
  type Image,
  imageLabels,
  imageMetadataName,
  parseImageHubName,
  validateImage,
} from '@hub/api-types';
import { DataPackError } from '../errors.ts';

/** `POST /images`: a new Image (`org/repo:tag`) with its detail, as the seeds' "new image" page makes it. */
export interface ImageCreate {
  name: string;
  type?: string;
  detail: Record<string, unknown>;
}

// What a person fills in; ID, size, creatTime and the digest come from a real image (hub-index).
const DETAIL_FIELDS = new Set(['description', 'keywords', 'docs', 'icon', 'url', 'arch', 'size']);

function invalid(field: string, message: string): never {
  throw new DataPackError('INVALID_REQUEST', `${field} ${message}`, { field });
}

/** Checks the body and builds the Image object (metadata.name and labels derived from the name). */
export function imageFromCreate(body: unknown): Image {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    invalid('body', 'must be a JSON object.');
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'name' && key !== 'type' && key !== 'detail')
      invalid(key, 'is not a field of a new image (name, type, detail).');
  }
  if (typeof record.name !== 'string') invalid('name', 'must be org/repo:tag.');
  const parsed = parseImageHubName(record.name);
  if (!parsed.success) invalid('name', `is not an image name: ${parsed.error.message}`);
  const detail = record.detail ?? {};
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    invalid('detail', 'must be an object.');
  for (const key of Object.keys(detail)) {
    if (!DETAIL_FIELDS.has(key))
      invalid(`detail.${key}`, `is not a field a new image takes (${[...DETAIL_FIELDS].join(', ')}).`);
  }
  if (record.type !== undefined && typeof record.type !== 'string') invalid('type', 'must be a string.');
  const object = {
    apiVersion: IMAGEHUB_API_VERSION,
    kind: 'Image',
    metadata: { name: imageMetadataName(parsed.data), labels: imageLabels(parsed.data).labels },
    spec: { name: record.name, ...(record.type === undefined ? {} : { type: record.type }), detail },
  };
  // The CRD's own schema (types, limits), so a bad field is a 400 naming it, not the apiserver's 422.
  const checked = validateImage(object);
  if (!checked.success) {
    const issue = checked.issues[0];
    const path = (issue?.path ?? 'body').replace(/^spec\./, '');
    invalid(path, `is not valid: ${issue?.message ?? 'malformed'}.`);
  }
  return object as Image;
}

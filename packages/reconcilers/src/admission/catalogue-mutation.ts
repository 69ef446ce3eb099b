import {
  ANNOTATION_REQUESTER,
  imageLabels,
  parseImageHubName,
  parseRepositoryName,
  repositoryLabels,
} from '@hub/api-types';
import type {
  AdmissionDecision,
  AdmissionDefinition,
  AdmissionRequest,
  CacheView,
  CataloguePolicy,
  JsonPatchOperation,
} from '../client.ts';
import { allow, safeReview } from './decision.ts';
import { setMapEntries, setValue } from './json-patch.ts';
import { asRecord, type JsonRecord, operationOf, requesterOf, stringAt, valueAt } from './request-fields.ts';
import { requesterToRecord } from './requester-annotation.ts';

type Context = { cache: CacheView; policy: CataloguePolicy };

// Fields a re-push that omits them keeps from the stored Image (a push without a README keeps its docs).
const KEPT_TEXT_FIELDS = ['docs', 'icon', 'description'] as const;

function isBlank(value: unknown): boolean {
  return (
    value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
  );
}

/** Operations that fill the omitted docs, icon, description and keywords from `previous`. */
export function keepStoredDetail(object: JsonRecord, previous: unknown): JsonPatchOperation[] {
  const detail = asRecord(valueAt(object, 'spec', 'detail'));
  const stored = asRecord(valueAt(previous, 'spec', 'detail'));
  if (stored === undefined) return [];
  const ops: JsonPatchOperation[] = [];
  // A missing detail is added whole, so each op stays valid.
  if (detail === undefined) {
    const fill: JsonRecord = {};
    for (const field of [...KEPT_TEXT_FIELDS, 'keywords'] as const)
      if (!isBlank(stored[field])) fill[field] = stored[field];
    return Object.keys(fill).length > 0 ? setValue(object, ['spec', 'detail'], fill) : [];
  }
  for (const field of KEPT_TEXT_FIELDS) {
    if (isBlank(detail[field]) && typeof stored[field] === 'string' && stored[field] !== '') {
      ops.push(...setValue(object, ['spec', 'detail', field], stored[field]));
    }
  }
  const keywords = stored.keywords;
  if (
    isBlank(detail.keywords) &&
    Array.isArray(keywords) &&
    keywords.length > 0 &&
    keywords.every((k) => typeof k === 'string')
  ) {
    ops.push(...setValue(object, ['spec', 'detail', 'keywords'], keywords));
  }
  return ops;
}

function labelAndRequesterOps(
  operation: 'CREATE' | 'UPDATE',
  object: JsonRecord,
  request: AdmissionRequest,
  labels: Record<string, string>,
  annotations: Record<string, string>,
  policy: CataloguePolicy,
): JsonPatchOperation[] {
  const requester = requesterToRecord(
    operation,
    object,
    asRecord(request)?.oldObject,
    requesterOf(request),
    policy,
  );
  const wantedAnnotations =
    requester === undefined ? annotations : { ...annotations, [ANNOTATION_REQUESTER]: requester };
  // Labels first: the annotation ops then see the object as the label ops left it (metadata exists).
  const labelOps = setMapEntries(object, ['metadata', 'labels'], labels);
  const withMetadata: JsonRecord =
    asRecord(object.metadata) === undefined && labelOps.length > 0 ? { ...object, metadata: {} } : object;
  return [...labelOps, ...setMapEntries(withMetadata, ['metadata', 'annotations'], wantedAnnotations)];
}

function reviewImage(request: AdmissionRequest, { cache, policy }: Context): AdmissionDecision {
  const operation = operationOf(request);
  const object = asRecord(asRecord(request)?.object);
  if ((operation !== 'CREATE' && operation !== 'UPDATE') || object === undefined) return allow();
  const parsed = parseImageHubName(stringAt(object, 'spec', 'name') ?? '');
  if (!parsed.success) return allow(); // the validating webhook denies it with the reason
  const { labels, annotations } = imageLabels(parsed.data);
  const ops = labelAndRequesterOps(operation, object, request, labels, annotations, policy);
  const name = stringAt(object, 'metadata', 'name');
  const previous =
    asRecord(asRecord(request)?.oldObject) ?? (name === undefined ? undefined : cache.get('Image', name));
  return allow([...ops, ...keepStoredDetail(object, previous)]);
}

function reviewRepository(request: AdmissionRequest, { policy }: Context): AdmissionDecision {
  const operation = operationOf(request);
  const object = asRecord(asRecord(request)?.object);
  if ((operation !== 'CREATE' && operation !== 'UPDATE') || object === undefined) return allow();
  const parsed = parseRepositoryName(stringAt(object, 'spec', 'name') ?? '');
  if (!parsed.success) return allow();
  // Keyword labels are the controller's (they follow the latest tag), so only org and repo here.
  const { labels, annotations } = repositoryLabels(parsed.data);
  return allow(labelAndRequesterOps(operation, object, request, labels, annotations, policy));
}

/** Image: labels from spec.name, the requester recorded, omitted detail kept on re-push. */
export const imageMutation: AdmissionDefinition = {
  name: 'image-mutation',
  path: '/mutate-imagehub-sealos-io-v1-image',
  type: 'mutating',
  kind: 'Image',
  operations: ['CREATE', 'UPDATE'],
  review: safeReview('image-mutation', reviewImage),
};

/** Repository: org and repo labels from spec.name, the requester recorded. */
export const repositoryMutation: AdmissionDefinition = {
  name: 'repository-mutation',
  path: '/mutate-imagehub-sealos-io-v1-repository',
  type: 'mutating',
  kind: 'Repository',
  operations: ['CREATE', 'UPDATE'],
  review: safeReview('repository-mutation', reviewRepository),
};

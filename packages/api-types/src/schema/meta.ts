import { z } from 'zod';

/** The API group and version of every imagehub kind. */
export const IMAGEHUB_GROUP = 'imagehub.sealos.io';
export const IMAGEHUB_VERSION = 'v1';
export const IMAGEHUB_API_VERSION = `${IMAGEHUB_GROUP}/${IMAGEHUB_VERSION}`;

const stringMap = z.record(z.string(), z.string());

/**
 * Kubernetes object metadata. Lenient: unknown fields pass through, and `namespace` is accepted
 * (the original samples set it on these cluster-scoped kinds; the API server ignores it).
 */
export const ObjectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: z.string().nullable().optional(),
  deletionTimestamp: z.string().nullable().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  finalizers: z.array(z.string()).optional(),
  ownerReferences: z.array(z.looseObject({})).optional(),
});
export type ObjectMeta = z.output<typeof ObjectMetaSchema>;

/** List metadata (`resourceVersion`, `continue`, `remainingItemCount`). */
export const ListMetaSchema = z.looseObject({
  resourceVersion: z.string().optional(),
  continue: z.string().optional(),
  remainingItemCount: z.int().nullable().optional(),
});

/** A metav1 timestamp (RFC 3339), e.g. `2022-12-27T07:37:34Z`. */
export const TimestampSchema = z.iso.datetime({ offset: true });

/** The epoch default the original used for `creatTime`. */
export const EPOCH = '1970-01-01T00:00:00Z';

/** The shape of `metav1.Condition`, with the upstream limits. */
export const ConditionSchema = z.looseObject({
  type: z
    .string()
    .max(316)
    .regex(
      /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/,
    )
    .describe('Condition type in CamelCase, e.g. Ready.'),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.int().min(0).optional(),
  lastTransitionTime: TimestampSchema,
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/),
  message: z.string().max(32768),
});
export type Condition = z.output<typeof ConditionSchema>;

/** `status.conditions`: a list map keyed by `type`, as Kubernetes expects for server-side apply. */
export const ConditionsSchema = z
  .array(ConditionSchema)
  .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
  .describe('Latest observations of the object state (metav1.Condition).');

/** The fields every imagehub status gains over the original: conditions and observedGeneration. */
export const commonStatusShape = {
  observedGeneration: z.int().min(0).optional().describe('The metadata.generation the status reflects.'),
  conditions: ConditionsSchema.optional(),
};

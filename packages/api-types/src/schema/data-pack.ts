import { z } from 'zod';
import { GO_DURATION_SOURCE, parseGoDuration } from '../duration/go-duration.ts';
import { ICON_MAX_LENGTH, README_MAX_BYTES } from '../naming/limits.ts';
import { commonStatusShape, IMAGEHUB_API_VERSION, ListMetaSchema, ObjectMetaSchema } from './meta.ts';
import { ImageHubNameSchema } from './names.ts';
import { TagDataSchema } from './repository.ts';

/** How much a DataPack gathers per name. */
export const DATA_PACK_TYPES = ['base', 'grid', 'detail'] as const;
export type DataPackType = (typeof DATA_PACK_TYPES)[number];

/** `status.codes` values, as in the original `Codes` constants. */
export const DATA_PACK_CODES = { NOTRUN: 0, OK: 1, PENDING: 2, ERROR: 3 } as const;
export type DataPackCode = (typeof DATA_PACK_CODES)[keyof typeof DATA_PACK_CODES];

/** A Go duration string such as `2h` or `120m`, checked with {@link parseGoDuration}. */
export const GoDurationSchema = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseGoDuration(value);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.message, params: { reason: parsed.error.code } });
    }
  })
  .meta({ pattern: GO_DURATION_SOURCE });

/** DataPack `spec`. */
export const DataPackSpecSchema = z.looseObject({
  type: z.enum(DATA_PACK_TYPES).default('base').describe('base, grid or detail.'),
  names: z.array(ImageHubNameSchema).describe('Imagehub names org/repo:tag to gather.'),
  expireTime: GoDurationSchema.default('2h').describe(
    'Go duration after creation when the pack is deleted, e.g. 2h, 120m.',
  ),
});
export type DataPackSpec = z.output<typeof DataPackSpecSchema>;
export type DataPackSpecInput = z.input<typeof DataPackSpecSchema>;

/**
 * One entry of `status.datas`: the original's flat union of base, grid and detail fields
 * (see docs/api-types.md for which type fills which).
 */
export const DataPackDataSchema = z.looseObject({
  name: z.string().optional(),
  type: z.string().optional(),
  repoName: z.string().optional(),
  rating: z.int().optional(),
  icon: z.string().max(ICON_MAX_LENGTH).optional(),
  authorIcon: z.string().max(ICON_MAX_LENGTH).optional(),
  keywords: z.array(z.string()).optional(),
  downloadCount: z.int().min(0).optional(),
  tags: z.array(TagDataSchema).optional(),
  URL: z.string().optional(),
  description: z.string().optional(),
  docs: z.string().max(README_MAX_BYTES).optional(),
  docsTruncated: z
    .boolean()
    .optional()
    .describe("docs was cut to fit the pack's README budget; the Image's detail.docs has the whole README."),
  ID: z.string().optional(),
  size: z.int().min(0).optional(),
  arch: z.string().optional(),
});
export type DataPackData = z.output<typeof DataPackDataSchema>;

/** DataPack `status`. `message` explains `codes: 3` (ERROR), which the original never stored. */
export const DataPackStatusSchema = z.looseObject({
  codes: z
    .literal([DATA_PACK_CODES.NOTRUN, DATA_PACK_CODES.OK, DATA_PACK_CODES.PENDING, DATA_PACK_CODES.ERROR])
    .default(DATA_PACK_CODES.NOTRUN)
    .describe('0 NOTRUN, 1 OK, 2 PENDING, 3 ERROR.'),
  // Atomic for server-side apply: the controller rewrites the whole map, and per-key field ownership
  // of 100 nested entries made each status apply cost hundreds of milliseconds in the apiserver.
  datas: z
    .record(z.string(), DataPackDataSchema)
    .optional()
    .meta({ 'x-kubernetes-map-type': 'atomic' })
    .describe('Gathered data by requested name.'),
  message: z.string().optional().describe('Why codes is ERROR (or PENDING), for humans.'),
  ...commonStatusShape,
});
export type DataPackStatus = z.output<typeof DataPackStatusSchema>;

/** An `imagehub.sealos.io/v1` DataPack: a cached bundle of store data for a list of names. */
export const DataPackSchema = z.looseObject({
  apiVersion: z.literal(IMAGEHUB_API_VERSION),
  kind: z.literal('DataPack'),
  metadata: ObjectMetaSchema,
  spec: DataPackSpecSchema,
  status: DataPackStatusSchema.optional(),
});
export type DataPack = z.output<typeof DataPackSchema>;
export type DataPackInput = z.input<typeof DataPackSchema>;

export const DataPackListSchema = z.looseObject({
  apiVersion: z.literal(IMAGEHUB_API_VERSION),
  kind: z.literal('DataPackList'),
  metadata: ListMetaSchema.optional(),
  items: z.array(DataPackSchema),
});
export type DataPackList = z.output<typeof DataPackListSchema>;

import { z } from 'zod';
import { ICON_MAX_LENGTH, README_MAX_BYTES } from '../naming/limits.ts';
import {
  commonStatusShape,
  EPOCH,
  IMAGEHUB_API_VERSION,
  ListMetaSchema,
  ObjectMetaSchema,
  TimestampSchema,
} from './meta.ts';
import { ImageHubNameSchema } from './names.ts';

/** The image types the sealos CLI writes. `spec.type` stays a free string, as in the original. */
export const IMAGE_TYPES = ['cloud-image', 'cluster-image'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** An entry of `detail.actions` (declared by the original, never used; the CLI resets it). */
export const ImageActionSchema = z.looseObject({
  name: z.string().optional(),
  actionType: z.string().optional(),
  actions: z.string().optional(),
  cmd: z.string().optional(),
});

/** `spec.detail`: what the store shows about one tag. Unknown fields pass through. */
export const ImageDetailSchema = z.looseObject({
  keywords: z
    .array(z.string())
    .optional()
    .describe('Free keywords; the closed vocabulary ones become repo labels.'),
  description: z.string().optional(),
  icon: z.string().max(ICON_MAX_LENGTH).optional().describe('Icon URL or a small data: URI.'),
  docs: z.string().max(README_MAX_BYTES).optional().describe('README markdown.'),
  url: z.string().optional().describe('Endpoint in the sealos UI.'),
  ID: z.string().optional().describe('Image ID.'),
  arch: z.string().optional(),
  digest: z
    .string()
    .regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/)
    .optional()
    .describe(
      'The digest the tag pointed at when indexed (the index of a multi-platform image): pull by it.',
    ),
  platforms: z
    .array(z.string().max(64))
    .max(64)
    .optional()
    .describe('Every platform the tag serves, os/arch[/variant] (hub-index fills it).'),
  size: z.int().min(0).optional().describe('Image size in bytes.'),
  creatTime: TimestampSchema.default(EPOCH).describe(
    'Image creation time (spelled creatTime on the wire); defaults to the epoch.',
  ),
  actions: z.record(z.string(), ImageActionSchema).optional(),
});
export type ImageDetail = z.output<typeof ImageDetailSchema>;

/** Image `spec`. `spec.name` is `org/repo:tag`. */
export const ImageSpecSchema = z.looseObject({
  name: ImageHubNameSchema,
  type: z.string().optional().describe('cloud-image or cluster-image.'),
  detail: ImageDetailSchema.prefault({}),
});
export type ImageSpec = z.output<typeof ImageSpecSchema>;

/** Image `status` (empty in the original; conditions and observedGeneration added). */
export const ImageStatusSchema = z.looseObject({ ...commonStatusShape });
export type ImageStatus = z.output<typeof ImageStatusSchema>;

/** An `imagehub.sealos.io/v1` Image: one tag of a repository. */
export const ImageSchema = z.looseObject({
  apiVersion: z.literal(IMAGEHUB_API_VERSION),
  kind: z.literal('Image'),
  metadata: ObjectMetaSchema,
  spec: ImageSpecSchema,
  status: ImageStatusSchema.optional(),
});
/** An Image after defaults (what the API server returns). */
export type Image = z.output<typeof ImageSchema>;
/** An Image as written by a client (defaults optional). */
export type ImageInput = z.input<typeof ImageSchema>;

export const ImageListSchema = z.looseObject({
  apiVersion: z.literal(IMAGEHUB_API_VERSION),
  kind: z.literal('ImageList'),
  metadata: ListMetaSchema.optional(),
  items: z.array(ImageSchema),
});
export type ImageList = z.output<typeof ImageListSchema>;

import { z } from 'zod';
import { ICON_MAX_LENGTH, README_MAX_BYTES } from '../naming/limits.ts';
import {
  commonStatusShape,
  IMAGEHUB_API_VERSION,
  ListMetaSchema,
  ObjectMetaSchema,
  TimestampSchema,
} from './meta.ts';
import { RepositoryNameSchema } from './names.ts';

/** One tag of a repository, as the original wrote it into `status.tags` and `status.latestTag`. */
export const TagDataSchema = z.looseObject({
  name: z.string().describe('The tag.'),
  metaName: z.string().optional().describe('metadata.name of the Image for this tag.'),
  size: z.int().min(0).optional(),
  creatTime: TimestampSchema.optional(),
  pushTime: TimestampSchema.optional().describe(
    'When the Image of this tag was first seen (its creationTimestamp), unlike creatTime the build time.',
  ),
});
export type TagData = z.output<typeof TagDataSchema>;

/** Repository `spec`. `spec.name` is `org/repo`. */
export const RepositorySpecSchema = z.looseObject({
  name: RepositoryNameSchema,
  isPrivate: z
    .boolean()
    .default(false)
    .describe('Private repositories are pulled by organization managers only.'),
  // Edits made in the hub: reads prefer them over the latest Image's detail, and hub-index (which
  // rewrites Images with force) never writes them, so an edit survives the next index run.
  description: z
    .string()
    .max(4096)
    .optional()
    .describe('Description override; reads prefer it to the latest Image.'),
  keywords: z
    .array(z.string().max(64))
    .max(32)
    .optional()
    .describe('Keywords override; replaces the latest Image keywords in reads.'),
  docs: z
    .string()
    .max(README_MAX_BYTES)
    .optional()
    .describe('README override (markdown), like hub-index --readme.'),
  icon: z
    .string()
    .max(ICON_MAX_LENGTH)
    .optional()
    .describe('Icon override: an https URL or a small data: URI.'),
});
export type RepositorySpec = z.output<typeof RepositorySpecSchema>;

/** Repository `status`: tags newest first, with `tagCount` added for `kubectl get`. */
export const RepositoryStatusSchema = z.looseObject({
  name: z.string().optional(),
  downloadCount: z.int().min(0).optional(),
  tags: z.array(TagDataSchema).optional(),
  latestTag: TagDataSchema.nullable().optional(),
  tagCount: z.int().min(0).optional().describe('Number of entries in tags (printer columns cannot count).'),
  ...commonStatusShape,
});
export type RepositoryStatus = z.output<typeof RepositoryStatusSchema>;

/** An `imagehub.sealos.io/v1` Repository: the tags of `org/repo`. */
export const RepositorySchema = z.looseObject({
  apiVersion: z.literal(IMAGEHUB_API_VERSION),
  kind: z.literal('Repository'),
  metadata: ObjectMetaSchema,
  spec: RepositorySpecSchema,
  status: RepositoryStatusSchema.optional(),
});
export type Repository = z.output<typeof RepositorySchema>;
export type RepositoryInput = z.input<typeof RepositorySchema>;

export const RepositoryListSchema = z.looseObject({
  apiVersion: z.literal(IMAGEHUB_API_VERSION),
  kind: z.literal('RepositoryList'),
  metadata: ListMetaSchema.optional(),
  items: z.array(RepositorySchema),
});
export type RepositoryList = z.output<typeof RepositoryListSchema>;

import { z } from 'zod';
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
});
export type TagData = z.output<typeof TagDataSchema>;

/** Repository `spec`. `spec.name` is `org/repo`. */
export const RepositorySpecSchema = z.looseObject({
  name: RepositoryNameSchema,
  isPrivate: z
    .boolean()
    .default(false)
    .describe('Private repositories are pulled by organization managers only.'),
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

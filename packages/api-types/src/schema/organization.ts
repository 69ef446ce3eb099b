import { z } from 'zod';
import { ICON_MAX_LENGTH } from '../naming/limits.ts';
import { commonStatusShape, IMAGEHUB_API_VERSION, ListMetaSchema, ObjectMetaSchema } from './meta.ts';

/** Organization `spec`. `creator` is set by the admission webhook on create. */
export const OrganizationSpecSchema = z.looseObject({
  name: z.string().min(1).max(1024).describe('Organization name (the first segment of org/repo:tag).'),
  creator: z.string().optional(),
  manager: z.array(z.string()).optional().describe('Users allowed to push and manage repositories.'),
  defaultPrivate: z
    .boolean()
    .optional()
    .describe(
      'Visibility of repositories that have no Repository object yet, and of those the controller creates; true (private) when unset.',
    ),
  icon: z
    .string()
    .max(ICON_MAX_LENGTH)
    .optional()
    .describe("The organization's icon (a URL or a small data: URI): DataPack grid entries' authorIcon."),
});
export type OrganizationSpec = z.output<typeof OrganizationSpecSchema>;

/** Organization `status`: the `spec.name`s of its repositories. */
export const OrganizationStatusSchema = z.looseObject({
  name: z.string().optional(),
  repos: z.array(z.string()).optional(),
  ...commonStatusShape,
});
export type OrganizationStatus = z.output<typeof OrganizationStatusSchema>;

/** An `imagehub.sealos.io/v1` Organization: owner of repositories, with managers. */
export const OrganizationSchema = z.looseObject({
  apiVersion: z.literal(IMAGEHUB_API_VERSION),
  kind: z.literal('Organization'),
  metadata: ObjectMetaSchema,
  spec: OrganizationSpecSchema,
  status: OrganizationStatusSchema.optional(),
});
export type Organization = z.output<typeof OrganizationSchema>;
export type OrganizationInput = z.input<typeof OrganizationSchema>;

export const OrganizationListSchema = z.looseObject({
  apiVersion: z.literal(IMAGEHUB_API_VERSION),
  kind: z.literal('OrganizationList'),
  metadata: ListMetaSchema.optional(),
  items: z.array(OrganizationSchema),
});
export type OrganizationList = z.output<typeof OrganizationListSchema>;

import type { z } from 'zod';
import { DataPackSpecSchema, DataPackStatusSchema } from '../schema/data-pack.ts';
import { ImageSpecSchema, ImageStatusSchema } from '../schema/image.ts';
import { IMAGEHUB_GROUP, IMAGEHUB_VERSION } from '../schema/meta.ts';
import { OrganizationSpecSchema, OrganizationStatusSchema } from '../schema/organization.ts';
import { RepositorySpecSchema, RepositoryStatusSchema } from '../schema/repository.ts';
import { zodToStructuralSchema } from './structural-schema.ts';
import type { CustomResourceColumnDefinition, CustomResourceDefinition } from './types.ts';

/** The category every imagehub kind belongs to: `kubectl get imagehub`. */
export const IMAGEHUB_CATEGORY = 'imagehub';

const AGE: CustomResourceColumnDefinition = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

type KindDefinition = {
  kind: string;
  plural: string;
  shortName: string;
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  columns: CustomResourceColumnDefinition[];
};

const KINDS: readonly KindDefinition[] = [
  {
    kind: 'Image',
    plural: 'images',
    shortName: 'img',
    description:
      'One tag of an imagehub repository: spec.name is org/repo:tag, spec.detail what the store shows.',
    spec: ImageSpecSchema,
    status: ImageStatusSchema,
    columns: [
      { name: 'Image', type: 'string', jsonPath: '.spec.name' },
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'Size', type: 'integer', jsonPath: '.spec.detail.size', description: 'Bytes' },
      { name: 'Created', type: 'date', jsonPath: '.spec.detail.creatTime', priority: 1 },
      AGE,
    ],
  },
  {
    kind: 'Repository',
    plural: 'repositories',
    shortName: 'repo',
    description: 'The tags of one org/repo, newest first, maintained by the controller.',
    spec: RepositorySpecSchema,
    status: RepositoryStatusSchema,
    columns: [
      { name: 'Repository', type: 'string', jsonPath: '.spec.name' },
      { name: 'Latest', type: 'string', jsonPath: '.status.latestTag.name' },
      { name: 'Tags', type: 'integer', jsonPath: '.status.tagCount' },
      { name: 'Private', type: 'boolean', jsonPath: '.spec.isPrivate' },
      AGE,
    ],
  },
  {
    kind: 'Organization',
    plural: 'organizations',
    shortName: 'org',
    description: 'An imagehub organization: owner of repositories; managers may push.',
    spec: OrganizationSpecSchema,
    status: OrganizationStatusSchema,
    columns: [
      { name: 'Organization', type: 'string', jsonPath: '.spec.name' },
      { name: 'Creator', type: 'string', jsonPath: '.spec.creator' },
      { name: 'Managers', type: 'string', jsonPath: '.spec.manager', priority: 1 },
      AGE,
    ],
  },
  {
    kind: 'DataPack',
    plural: 'datapacks',
    shortName: 'dp',
    description: 'A cached bundle of store data for a list of imagehub names; deleted after spec.expireTime.',
    spec: DataPackSpecSchema,
    status: DataPackStatusSchema,
    columns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      {
        name: 'Codes',
        type: 'integer',
        jsonPath: '.status.codes',
        description: '0 NOTRUN, 1 OK, 2 PENDING, 3 ERROR',
      },
      { name: 'Expire', type: 'string', jsonPath: '.spec.expireTime' },
      { name: 'Message', type: 'string', jsonPath: '.status.message', priority: 1 },
      AGE,
    ],
  },
];

function buildOne(definition: KindDefinition): CustomResourceDefinition {
  const singular = definition.kind.toLowerCase();
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${definition.plural}.${IMAGEHUB_GROUP}` },
    spec: {
      group: IMAGEHUB_GROUP,
      names: {
        kind: definition.kind,
        listKind: `${definition.kind}List`,
        plural: definition.plural,
        singular,
        shortNames: [definition.shortName],
        categories: [IMAGEHUB_CATEGORY],
      },
      // Cluster-scoped like the original, so existing objects, RBAC and clients keep working.
      scope: 'Cluster',
      versions: [
        {
          name: IMAGEHUB_VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: definition.description,
              properties: {
                apiVersion: {
                  type: 'string',
                  description: 'APIVersion of this representation of an object.',
                },
                kind: { type: 'string', description: 'Kind of the REST resource this object represents.' },
                metadata: { type: 'object' },
                spec: zodToStructuralSchema(definition.spec),
                status: zodToStructuralSchema(definition.status),
              },
              required: ['spec'],
            },
          },
          subresources: { status: {} },
          additionalPrinterColumns: definition.columns,
        },
      ],
    },
  };
}

/**
 * The four imagehub CRDs (Image, Repository, Organization, DataPack) as plain
 * `apiextensions.k8s.io/v1` objects, generated from the zod schemas. The committed YAML in
 * `crds/` is this output; a test fails when they drift.
 */
export function buildCustomResourceDefinitions(): CustomResourceDefinition[] {
  return KINDS.map(buildOne);
}

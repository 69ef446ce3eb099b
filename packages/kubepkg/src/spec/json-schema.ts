import { z } from 'zod';
import { KubePkgDocumentSchema } from './kubepkg-schema.ts';

/** `$id` of the published schema (packages/kubepkg/schema/kubepkg.schema.json). */
export const KUBEPKG_JSON_SCHEMA_ID = 'https://hub.dev/schemas/kubepkg/v1alpha1/kubepkg.schema.json';

/**
 * JSON Schema (draft 2020-12) of a `kubepkg.json` document (KubePkg or KubePkgList), generated
 * from the zod schemas so the two cannot drift. Describes the input form: defaulted fields are optional.
 */
export function kubePkgJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(KubePkgDocumentSchema, { io: 'input', target: 'draft-2020-12' });
  return { ...schema, $id: KUBEPKG_JSON_SCHEMA_ID, title: 'KubePkg or KubePkgList (octohelm.tech/v1alpha1)' };
}

export { kubePkgCustomResourceDefinition } from './crd.ts';
export { KUBEPKG_JSON_SCHEMA_ID, kubePkgJsonSchema } from './json-schema.ts';
export {
  type AppliedResource,
  AppliedResourceSchema,
  type DigestMeta,
  DigestMetaSchema,
  DigestSchema,
  KUBEPKG_API_VERSION,
  type KubePkg,
  KubePkgDocumentSchema,
  type KubePkgInput,
  type KubePkgList,
  KubePkgListSchema,
  KubePkgMetadataSchema,
  KubePkgSchema,
  type KubePkgSpec,
  KubePkgSpecSchema,
  type KubePkgStatus,
  KubePkgStatusSchema,
  type KubernetesManifest,
  KubernetesManifestSchema,
} from './kubepkg-schema.ts';
export {
  formatIssuePath,
  type KubePkgParseResult,
  kubePkgsOf,
  parseKubePkg,
  safeParseKubePkg,
  safeParseKubePkgDocument,
  safeParseKubePkgList,
} from './safe-parse.ts';

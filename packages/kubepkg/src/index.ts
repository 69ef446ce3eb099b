export {
  type ApplyEvent,
  type ApplyKubePkgOptions,
  type ApplyKubePkgResult,
  applyKubePkg,
  INVENTORY_LABEL,
  OWNER_LABEL,
  VERSION_ANNOTATION,
} from './apply/apply-kubepkg.ts';
export { rewriteImages } from './apply/rewrite-images.ts';
export {
  contextNamespace,
  type UpsertedKubePkg,
  upsertKubePkgObject,
} from './apply/upsert-kubepkg-object.ts';
export {
  type ArchiveBlobEntry,
  type ArchiveLimits,
  type ReadArchiveHandlers,
  type ReadArchiveResult,
  readKubePkgArchive,
} from './archive/read-archive.ts';
export {
  type ArchiveBlob,
  DEFAULT_GZIP_LEVEL,
  type WriteArchiveOptions,
  writeKubePkgArchive,
} from './archive/write-archive.ts';
export {
  isKubePkgError,
  KubePkgError,
  type KubePkgErrorCode,
  type KubePkgErrorDetails,
  type KubePkgIssue,
} from './errors.ts';
export {
  type ExportEvent,
  type ExportKubePkgOptions,
  type ExportKubePkgResult,
  exportKubePkg,
} from './export/export-kubepkg.ts';
export { type RepositoryNaming, storedRepositoryName } from './export/resolve-images.ts';
export {
  type ImportEvent,
  type ImportKubePkgOptions,
  type ImportKubePkgResult,
  type ImportTarget,
  importKubePkg,
} from './import/import-kubepkg.ts';
export { collectImages } from './manifests/collect-images.ts';
export {
  type KubePkgFromManifestsOptions,
  kubePkgFromManifests,
  parseManifests,
} from './manifests/load-manifests.ts';
export { manifestKey } from './manifests/manifest-key.ts';
export {
  createRegistryServer,
  type RegistryServer,
  type RegistryServerOptions,
} from './serve/registry-server.ts';

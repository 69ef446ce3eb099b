export type { DigestAlgorithm, Digester, ParsedDigest } from '../digest/digest.ts';
export { createDigester, digestBytes, isDigest, parseDigest } from '../digest/digest.ts';
export type { BlobCommit, BlobUploadOptions } from './blob-upload.ts';
export { BlobUpload } from './blob-upload.ts';
export { isValidRepositoryName, isValidTag, StorageLayout } from './layout.ts';
export type { WriteBlobOptions } from './registry-storage.ts';
export { RegistryStorage } from './registry-storage.ts';
export type { StorageErrorCode } from './storage-error.ts';
export { isStorageError, STORAGE_ERROR_RETRYABLE, StorageError } from './storage-error.ts';

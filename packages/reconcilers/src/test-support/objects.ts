// Builders and fixture loading for unit tests (not exported from the package entry).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatIssues,
  IMAGEHUB_API_VERSION,
  type Image,
  type ImageDetail,
  imageMetadataName,
  type Organization,
  organizationMetadataName,
  validateImage,
} from '@hub/api-types';
import { parseAllDocuments } from 'yaml';
import type { AdmissionRequest, KubeObject } from '../client.ts';

/** The seed Image samples, defaulted as the apiserver would (creatTime = the epoch). */
export function seedImages(): Image[] {
  const text = readFileSync(join(import.meta.dirname, '..', '__fixtures__', 'seed-images.yaml'), 'utf8');
  return parseAllDocuments(text).map((document) => {
    const result = validateImage(document.toJS());
    if (!result.success) throw new Error(formatIssues(result.issues));
    return result.data;
  });
}

/** An Image for `org/repo:tag` with its derived metadata.name, as a user would create it. */
export function imageObject(
  name: string,
  detail: Partial<ImageDetail> = {},
  annotations?: Record<string, string>,
): Image {
  return {
    apiVersion: IMAGEHUB_API_VERSION,
    kind: 'Image',
    metadata: { name: imageMetadataName(name), ...(annotations === undefined ? {} : { annotations }) },
    spec: { name, detail: { creatTime: '1970-01-01T00:00:00Z', ...detail } },
  };
}

/** An Organization with its derived metadata.name. */
export function organizationObject(name: string, creator?: string, manager?: string[]): Organization {
  return {
    apiVersion: IMAGEHUB_API_VERSION,
    kind: 'Organization',
    metadata: { name: organizationMetadataName(name) },
    spec: {
      name,
      ...(creator === undefined ? {} : { creator }),
      ...(manager === undefined ? {} : { manager }),
    },
  };
}

const kinds = {
  Image: 'images',
  Repository: 'repositories',
  Organization: 'organizations',
  DataPack: 'datapacks',
} as const;

/** An AdmissionRequest for a catalogue object, as the apiserver sends it. */
export function admissionRequest(
  operation: AdmissionRequest['operation'],
  kind: keyof typeof kinds,
  user: { username: string; groups?: readonly string[] },
  object: KubeObject | undefined,
  oldObject?: KubeObject,
): AdmissionRequest {
  const name = object?.metadata.name ?? oldObject?.metadata.name;
  return {
    uid: 'req-1',
    kind: { group: 'imagehub.sealos.io', version: 'v1', kind },
    ...(name === undefined ? {} : { name }),
    operation,
    userInfo: { username: user.username, groups: [...(user.groups ?? ['system:authenticated'])] },
    object: object ?? null,
    oldObject: oldObject ?? null,
  };
}

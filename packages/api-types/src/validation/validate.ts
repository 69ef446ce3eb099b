import type { z } from 'zod';
import { type DataPack, DataPackSchema } from '../schema/data-pack.ts';
import { type Image, ImageSchema } from '../schema/image.ts';
import { type Organization, OrganizationSchema } from '../schema/organization.ts';
import { type Repository, RepositorySchema } from '../schema/repository.ts';
import { toValidationIssues, type ValidationResult } from './issues.ts';

function validateWith<S extends z.ZodType>(schema: S, value: unknown): ValidationResult<z.output<S>> {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { success: true, data: parsed.data }
    : { success: false, issues: toValidationIssues(parsed.error.issues) };
}

/** Validates an Image (apiVersion, kind, spec.name grammar, detail), applying defaults. */
export function validateImage(value: unknown): ValidationResult<Image> {
  return validateWith(ImageSchema, value);
}

/** Validates a Repository, applying defaults (`isPrivate: false`). */
export function validateRepository(value: unknown): ValidationResult<Repository> {
  return validateWith(RepositorySchema, value);
}

/** Validates an Organization. */
export function validateOrganization(value: unknown): ValidationResult<Organization> {
  return validateWith(OrganizationSchema, value);
}

/** Validates a DataPack (names grammar, Go duration), applying defaults (`type: base`, `expireTime: 2h`). */
export function validateDataPack(value: unknown): ValidationResult<DataPack> {
  return validateWith(DataPackSchema, value);
}

/** Any imagehub object. */
export type ImageHubObject = Image | Repository | Organization | DataPack;

/** Validates an object of any imagehub kind, chosen by its `kind`. */
export function validateImageHubObject(value: unknown): ValidationResult<ImageHubObject> {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  switch (kind) {
    case 'Image':
      return validateImage(value);
    case 'Repository':
      return validateRepository(value);
    case 'Organization':
      return validateOrganization(value);
    case 'DataPack':
      return validateDataPack(value);
    default:
      return {
        success: false,
        issues: [
          {
            path: 'kind',
            code: 'invalid_value',
            message: `Expected one of Image, Repository, Organization, DataPack; received ${JSON.stringify(kind) ?? 'nothing'}.`,
          },
        ],
      };
  }
}

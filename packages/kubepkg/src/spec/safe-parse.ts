import { formatFieldPath, type Result } from '@hub/api-types';
import type { z } from 'zod';
import { KubePkgError, type KubePkgIssue } from '../errors.ts';
import {
  type KubePkg,
  KubePkgDocumentSchema,
  type KubePkgList,
  KubePkgListSchema,
  KubePkgSchema,
} from './kubepkg-schema.ts';

/**
 * Result of a `safeParse*` call: data, or a KubePkgError listing every issue (code INVALID_KUBEPKG, or
 * UNSUPPORTED_SPEC for fields of later octohelm versions).
 */
export type KubePkgParseResult<T> = Result<T, KubePkgError>;

/** Renders a zod path as `spec.images["docker.io/x:1"]` / `items[0].metadata.name`: the one spelling, @hub/api-types'. */
export const formatIssuePath = formatFieldPath;

function toIssues(error: z.ZodError): KubePkgIssue[] {
  return error.issues.map((issue) => ({
    path: formatIssuePath(issue.path),
    message: issue.message,
    code: issue.code,
  }));
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string): KubePkgParseResult<T> {
  const result = schema.safeParse(input);
  if (result.success) return { success: true, data: result.data };
  const issues = toIssues(result.error);
  const unsupported = result.error.issues.some(
    (issue) =>
      issue.code === 'custom' && (issue.params as { unsupported?: unknown } | undefined)?.unsupported,
  );
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return {
    success: false,
    error: new KubePkgError(
      unsupported ? 'UNSUPPORTED_SPEC' : 'INVALID_KUBEPKG',
      `Invalid ${what}: ${first ? `${first.path}: ${first.message}` : 'unknown problem'}${more}. Fix the document and retry.`,
      { issues, cause: result.error },
    ),
  };
}

/** Validates a KubePkg without throwing; issues carry paths such as `spec.version`. */
export function safeParseKubePkg(input: unknown): KubePkgParseResult<KubePkg> {
  return parseWith(KubePkgSchema, input, 'KubePkg');
}

/** Validates a KubePkgList without throwing. */
export function safeParseKubePkgList(input: unknown): KubePkgParseResult<KubePkgList> {
  return parseWith(KubePkgListSchema, input, 'KubePkgList');
}

/** Validates a KubePkg or a KubePkgList (discriminated by `kind`). */
export function safeParseKubePkgDocument(input: unknown): KubePkgParseResult<KubePkg | KubePkgList> {
  return parseWith(KubePkgDocumentSchema, input, 'kubepkg document');
}

/** Validates a KubePkg and throws the KubePkgError on failure; for trusted input. */
export function parseKubePkg(input: unknown): KubePkg {
  const result = safeParseKubePkg(input);
  if (!result.success) throw result.error;
  return result.data;
}

/** Packages of a KubePkg or KubePkgList document, in order. */
export function kubePkgsOf(document: KubePkg | KubePkgList): KubePkg[] {
  return document.kind === 'KubePkgList' ? document.items : [document];
}

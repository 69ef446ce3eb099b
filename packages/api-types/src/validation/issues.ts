import type { z } from 'zod';

/** One problem with an object, located by a field path such as `spec.names[0]`. */
export type ValidationIssue = {
  /** Dotted field path (`spec.type`, `spec.names[2]`); empty for the object itself. */
  path: string;
  /** zod's issue code (`invalid_type`, `invalid_value`, `custom`, …). */
  code: string;
  message: string;
};

/** The outcome of a validation: the parsed object (defaults applied) or its issues. */
export type ValidationResult<T> = { success: true; data: T } | { success: false; issues: ValidationIssue[] };

/** Writes a zod path as a Kubernetes-style field path: `spec.names[0]`, `metadata.labels["a.b/c"]`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += out.length === 0 ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** Converts zod issues to {@link ValidationIssue}s. */
export function toValidationIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.map((issue) => ({
    path: formatFieldPath(issue.path),
    code: issue.code,
    message: issue.message,
  }));
}

/**
 * One line for a status message or CLI error: `spec.type: Invalid option…; spec.names[0]: …`.
 * Longer lists end with `(and N more)` after `max` issues.
 */
export function formatIssues(issues: readonly ValidationIssue[], max = 5): string {
  const shown = issues
    .slice(0, max)
    .map((issue) => (issue.path.length > 0 ? `${issue.path}: ${issue.message}` : issue.message));
  const rest = issues.length - shown.length;
  return rest > 0 ? `${shown.join('; ')} (and ${rest} more)` : shown.join('; ');
}

import { DATA_PACK_TYPES, formatIssues, parseGoDuration, validateDataPack } from '@hub/api-types';
import { MAX_DATA_PACK_NAMES } from '@hub/datapack';
import type { AdmissionDecision, AdmissionDefinition, AdmissionRequest } from '../client.ts';
import { dataPackNameProblem } from './datapack-name-hash.ts';

/** Longest expireTime admitted: a pack is a cache entry, not storage. */
export const MAX_EXPIRE_MS = 30 * 24 * 60 * 60 * 1000;

function deny(name: string, problems: readonly string[]): AdmissionDecision {
  return {
    allowed: false,
    code: 422,
    message: `DataPack ${name} is invalid: ${problems.map((p) => p.replace(/\.$/, '')).join('; ')}.`,
  };
}

/** The checks on a DataPack's spec, each problem a sentence naming the field and what to write. */
export function dataPackProblems(object: unknown): string[] {
  const spec = (object as { spec?: { type?: unknown; expireTime?: unknown; names?: unknown } } | null)?.spec;
  const problems: string[] = [];
  if (spec?.type !== undefined && !(DATA_PACK_TYPES as readonly unknown[]).includes(spec.type)) {
    problems.push(`spec.type ${JSON.stringify(spec.type)} is unknown: use ${DATA_PACK_TYPES.join(', ')}`);
  }
  if (typeof spec?.expireTime === 'string') {
    const parsed = parseGoDuration(spec.expireTime);
    if (!parsed.success) problems.push(`spec.expireTime: ${parsed.error.message}`);
    else if (parsed.data <= 0)
      problems.push(`spec.expireTime "${spec.expireTime}" must be positive, e.g. 2h`);
    else if (parsed.data > MAX_EXPIRE_MS) problems.push(`spec.expireTime "${spec.expireTime}" is over 720h`);
  }
  if (Array.isArray(spec?.names) && spec.names.length > MAX_DATA_PACK_NAMES) {
    problems.push(`spec.names has ${spec.names.length} names; at most ${MAX_DATA_PACK_NAMES}`);
  }
  const validation = validateDataPack(object);
  if (!validation.success) {
    // The schema repeats the type and duration checks above; keep its other findings (names, shape).
    const others = validation.issues.filter((issue) => !/^spec\.(type|expireTime)\b/.test(issue.path));
    if (others.length > 0) problems.push(formatIssues(others).replace(/\.$/, ''));
  }
  return problems;
}

/**
 * Validates DataPacks on create and update: a bad duration, type or name is refused with a clear
 * message, and so is a `datapack-<type>-<32 hex>` name whose hash is not that of the spec.
 */
export function datapackAdmission(): AdmissionDefinition {
  return {
    name: 'datapack-validation',
    path: '/validate-imagehub-sealos-io-v1-datapack',
    type: 'validating',
    kind: 'DataPack',
    operations: ['CREATE', 'UPDATE'],
    review(request: AdmissionRequest): AdmissionDecision {
      try {
        const name = request.name ?? request.object?.metadata.name ?? '(unnamed)';
        const problems = dataPackProblems(request.object);
        const object = request.object as { metadata?: { name?: unknown }; spec?: unknown } | null | undefined;
        const metadataName = typeof object?.metadata?.name === 'string' ? object.metadata.name : request.name;
        const misnamed = dataPackNameProblem(metadataName, object?.spec);
        if (misnamed !== undefined) problems.unshift(misnamed);
        return problems.length === 0 ? { allowed: true } : deny(name, problems);
      } catch {
        return { allowed: false, code: 422, message: 'DataPack could not be read; send a DataPack object.' };
      }
    },
  };
}

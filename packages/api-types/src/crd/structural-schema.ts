import { z } from 'zod';
import type { JSONSchemaProps } from './types.ts';

const SAFE_INTEGER_BOUND = Number.MAX_SAFE_INTEGER;
const PASSTHROUGH_KEYS = new Set([
  'description',
  'format',
  'default',
  'nullable',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
]);
type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns zod's OpenAPI 3.0 output into a structural schema Kubernetes accepts: no `$ref`, `anyOf`
 * or `const`; objects with `properties` drop `additionalProperties` (unknown fields are pruned);
 * `additionalProperties` alone is a map, and an untyped map value keeps arbitrary data with
 * `x-kubernetes-preserve-unknown-fields`; enums get a type; safe-integer bounds become int64;
 * date-time keeps `format` but not zod's lookaround-free-but-huge pattern. Throws on anything else,
 * so an unsupported schema fails generation instead of producing a CRD the API server rejects.
 */
export function toStructural(input: unknown, path = '$'): JSONSchemaProps {
  if (!isObject(input)) throw new Error(`${path}: expected a schema object`);
  const out: Json = {};
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case 'type':
      case 'required':
      case 'properties':
      case 'items':
      case 'additionalProperties':
      case 'enum':
      case 'const':
      case '$schema':
        break;
      default:
        if (!PASSTHROUGH_KEYS.has(key))
          throw new Error(`${path}: "${key}" cannot be expressed in a structural CRD`);
        out[key] = value;
    }
  }
  const enumValues =
    input.const !== undefined ? [input.const] : Array.isArray(input.enum) ? input.enum : undefined;
  let type = input.type;
  if (enumValues !== undefined) {
    out.enum = enumValues;
    if (type === undefined || type === 'number') {
      const all = (check: (v: unknown) => boolean) => enumValues.every(check);
      if (all(Number.isInteger)) type = 'integer';
      else if (all((v) => typeof v === 'number')) type = 'number';
      else if (all((v) => typeof v === 'string')) type = 'string';
    }
  }
  if (type === 'integer') {
    if (out.minimum === -SAFE_INTEGER_BOUND) delete out.minimum;
    if (out.maximum === SAFE_INTEGER_BOUND) delete out.maximum;
    if (out.format === undefined && enumValues === undefined) out.format = 'int64';
  }
  if (out.format === 'date-time') delete out.pattern;

  if (type === 'object') {
    const properties = isObject(input.properties) ? input.properties : undefined;
    if (properties !== undefined) {
      out.properties = Object.fromEntries(
        Object.entries(properties).map(([name, schema]) => [name, toStructural(schema, `${path}.${name}`)]),
      );
      if (Array.isArray(input.required) && input.required.length > 0) out.required = input.required;
    } else if (isObject(input.additionalProperties) && Object.keys(input.additionalProperties).length > 0) {
      out.additionalProperties = toStructural(input.additionalProperties, `${path}.*`);
    } else {
      out['x-kubernetes-preserve-unknown-fields'] = true;
    }
  } else if (type === 'array') {
    out.items = toStructural(input.items, `${path}[]`);
  } else if (input.properties !== undefined || input.items !== undefined) {
    throw new Error(`${path}: properties or items without a matching type`);
  }
  if (typeof type !== 'string')
    throw new Error(`${path}: a structural schema needs a type (got ${JSON.stringify(type)})`);
  return { type, ...out } as JSONSchemaProps;
}

/** The structural OpenAPI v3 schema of a zod schema, as written by clients (defaults optional). */
export function zodToStructuralSchema(schema: z.ZodType): JSONSchemaProps {
  return toStructural(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', reused: 'inline' }));
}

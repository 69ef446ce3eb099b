import { DATA_PACK_TYPES, type DataPackType, dataPackName, legacyDataPackHash } from '@hub/api-types';

// The names clients derive from a spec: `datapack-<type>-<32 hex>`. Anything else is a name the
// creator chose (the seeds' `datapackuid`, `datapack-detail-sample`) and says nothing about content.
const HASH_NAME = new RegExp(`^datapack-(${DATA_PACK_TYPES.join('|')})-([0-9a-f]{32})$`);

/**
 * Why a DataPack's `metadata.name` lies about its spec, or undefined when it does not. A name of
 * the form `datapack-<type>-<32 hex>` must be one a client would derive from this very spec: the
 * spec hash (`dataPackName`), or the original frontend's MD5 of it (`legacyDataPackHash`). Otherwise
 * someone could create the pack a client is about to read, with other content under its name.
 */
export function dataPackNameProblem(name: string | undefined, spec: unknown): string | undefined {
  const match = name === undefined ? null : HASH_NAME.exec(name);
  if (match === null) return undefined;
  const { type = 'base', names } = (spec ?? {}) as { type?: unknown; names?: unknown };
  // A malformed spec is reported by the other checks; there is no hash to compare with.
  if (!(DATA_PACK_TYPES as readonly unknown[]).includes(type)) return undefined;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) return undefined;
  const content = { type: type as DataPackType, names };
  const expected = dataPackName(content);
  if (name === expected) return undefined;
  if (match[1] === type && match[2] === legacyDataPackHash(content)) return undefined;
  return (
    `metadata.name "${name}" is a spec-hash name that does not match spec.type and spec.names: ` +
    `this spec is "${expected}" (dataPackName in @hub/api-types); name a pack by its own spec, or choose a name outside datapack-<type>-<32 hex>`
  );
}

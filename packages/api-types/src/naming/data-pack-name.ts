import type { DataPackType } from '../schema/data-pack.ts';
import { md5Hex, sha256Hex } from './hash.ts';

/** The part of a DataPack spec that decides its content (expireTime does not). */
export type DataPackNameInput = { type?: DataPackType | undefined; names: readonly string[] };

/** How {@link dataPackName} names a pack. */
export type DataPackNameMode = 'spec-hash' | 'legacy';

/**
 * SHA-256 hex of the normalized content spec: `type` defaulted to `base`, `names` sorted and
 * deduplicated, serialized as `{"names":[…],"type":"…"}`. Order and duplicates of names and
 * `expireTime` do not change the hash, so every client asking for the same data shares one pack.
 */
export function dataPackSpecHash(spec: DataPackNameInput): string {
  const names = [...new Set(spec.names)].sort();
  return sha256Hex(JSON.stringify({ names, type: spec.type ?? 'base' }));
}

/**
 * The MD5 the original frontend used as the name (`hashAny(...args)` = MD5 of `JSON.stringify(args)`):
 * the detail page hashed `[name, "detail"]` with a single name, the list page `[names, "grid"]`.
 * Names keep their order, as the old clients sent them.
 */
export function legacyDataPackHash(spec: DataPackNameInput): string {
  const type = spec.type ?? 'base';
  const [only] = spec.names;
  const args =
    type === 'detail' && spec.names.length === 1 && only !== undefined ? [only, type] : [spec.names, type];
  return md5Hex(JSON.stringify(args));
}

/**
 * A DataPack `metadata.name`: `datapack-<type>-<32 hex of dataPackSpecHash>` (default), or in
 * `legacy` mode the bare MD5 the original frontend used, so old clients find the same pack.
 */
export function dataPackName(spec: DataPackNameInput, mode: DataPackNameMode = 'spec-hash'): string {
  if (mode === 'legacy') return legacyDataPackHash(spec);
  return `datapack-${spec.type ?? 'base'}-${dataPackSpecHash(spec).slice(0, 32)}`;
}

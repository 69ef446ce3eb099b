import type { DataPackResult } from '../compute/compute-data-pack.ts';

/** Most entries kept; beyond it the cache starts over (a store page asks for tens of names). */
const MAX_ENTRIES = 20_000;

/**
 * Serializes DataPack results, reusing each entry's JSON while the catalogue's revision is
 * unchanged: a detail pack of 100 names is ~180 KiB, and stringifying it was most of a request.
 * The output is byte-for-byte `JSON.stringify(result)`.
 */
export function createPackSerializer(): (result: DataPackResult, type: string, revision: number) => string {
  let cache = new Map<string, string>();
  let cachedRevision = Number.NaN;
  return (result, type, revision) => {
    if (revision !== cachedRevision || cache.size > MAX_ENTRIES) {
      cache = new Map();
      cachedRevision = revision;
    }
    const parts: string[] = [];
    for (const [name, data] of Object.entries(result.datas)) {
      // A cut README depends on the rest of the pack; being a prefix, its length tells the cuts apart.
      const cut = data.docsTruncated === true ? `\u0000${data.docs?.length}` : '';
      const key = `${type}\u0000${name}${cut}`;
      let json = cache.get(key);
      if (json === undefined) {
        json = `${JSON.stringify(name)}:${JSON.stringify(data)}`;
        cache.set(key, json);
      }
      parts.push(json);
    }
    const message = result.message === undefined ? '' : `,"message":${JSON.stringify(result.message)}`;
    return `{"codes":${result.codes},"datas":{${parts.join(',')}}${message}}`;
  };
}

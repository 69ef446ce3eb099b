import { type DataPackData, README_MAX_BYTES, truncateUtf8 } from '@hub/api-types';

/**
 * UTF-8 bytes of README (`docs`) one DataPack holds in all: two whole READMEs of the largest size.
 * A pack of 1,000 detail entries stays near the size of its grid counterpart instead of reaching
 * 256 MiB, and a pack stored as a DataPack object stays under etcd's 1.5 MiB for its READMEs.
 */
export const DATA_PACK_DOCS_BUDGET_BYTES = 2 * README_MAX_BYTES;

/**
 * Cuts the `docs` of `datas` (in place) so they add up to at most `budgetBytes` UTF-8 bytes:
 * READMEs that fit a fair share stay whole, and the rest share what is left equally, each cut one
 * marked `docsTruncated: true`. Smallest first, ties by name, so the result does not depend on
 * the order the names were asked in.
 */
export function fitDocs(
  datas: Record<string, DataPackData>,
  budgetBytes = DATA_PACK_DOCS_BUDGET_BYTES,
): void {
  const withDocs = Object.entries(datas).filter(
    (entry): entry is [string, DataPackData & { docs: string }] => entry[1].docs !== undefined,
  );
  // At most 3 UTF-8 bytes per UTF-16 unit: most packs (grid, a few detail names) end here.
  if (withDocs.reduce((sum, [, data]) => sum + data.docs.length * 3, 0) <= budgetBytes) return;
  const entries = withDocs
    .map(([name, data]) => ({ name, data, bytes: Buffer.byteLength(data.docs) }))
    .sort((a, b) => a.bytes - b.bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let left = budgetBytes;
  for (const [index, entry] of entries.entries()) {
    const share = Math.floor(left / (entries.length - index));
    if (entry.bytes <= share) {
      left -= entry.bytes;
      continue;
    }
    const cut = truncateUtf8(entry.data.docs, share);
    entry.data.docs = cut;
    entry.data.docsTruncated = true;
    left -= Buffer.byteLength(cut);
  }
}

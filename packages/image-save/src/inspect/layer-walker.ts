import { decompress, type LayerCompression } from './decompress.ts';
import { normalizeTarPath, type TarEntry, TarReader } from './tar-reader.ts';

/** A layer to walk: its identity and a way to stream its (compressed) bytes. */
export interface WalkLayer {
  digest: string;
  /** Opens the blob; the walker stops consuming (and returns the iterator) when it has what it needs. */
  open(): Promise<AsyncIterable<Uint8Array>>;
}

/** A file the walker looks for. */
export interface WalkQuery {
  /** Path in the image filesystem, e.g. `README.md` or `/metadata/config.yaml`. */
  path: string;
  /** Largest number of bytes of its content kept; the rest is skipped (`truncated`). */
  maxBytes: number;
}

/** Options of {@link findLayerFiles}. */
export interface WalkOptions {
  /**
   * Once this query's path is settled (found, or deleted by a whiteout), no lower layer is opened:
   * the other queries are answered from the layers walked so far. Default: walk until all are settled.
   */
  boundBy?: string;
  /** Stop after reading this many compressed bytes in total (default unbounded). */
  maxScanBytes?: number;
  signal?: AbortSignal;
}

/** A file found in a layer. */
export interface FoundLayerFile {
  path: string;
  /** The layer holding it (the topmost that has it). */
  layer: string;
  /** Its full size in bytes, from the tar header. */
  size: number;
  /** The first `maxBytes` bytes. */
  content: Buffer;
  truncated: boolean;
}

/** What {@link findLayerFiles} saw. */
export interface WalkResult {
  /** Each query path (normalised): the file, or undefined when absent, deleted or not reached. */
  files: Map<string, FoundLayerFile | undefined>;
  /** Paths whose answer is certain (found, deleted, or every layer was read). */
  settled: Set<string>;
  /** Layers opened (top down). */
  layersRead: number;
  /** Compressed bytes consumed from layer blobs. */
  bytesRead: number;
  /** Why the walk ended. */
  stop: 'settled' | 'bound' | 'bottom' | 'budget';
  compressions: LayerCompression[];
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** True when `entry` (a whiteout) hides `path` in every lower layer. */
function whiteoutHides(entry: string, path: string): boolean {
  const slash = entry.lastIndexOf('/');
  const dir = slash === -1 ? '' : entry.slice(0, slash);
  const base = entry.slice(slash + 1);
  if (base === OPAQUE) return dir === '' || path.startsWith(`${dir}/`);
  const target = (dir ? `${dir}/` : '') + base.slice(WHITEOUT.length);
  return path === target || path.startsWith(`${target}/`);
}

/**
 * Finds files in an image's layers the way an overlay filesystem would see them, streaming the
 * layers from the top down: the topmost layer holding a path wins, and a whiteout (`.wh.<name>`) or
 * an opaque directory (`.wh..wh..opq`) in a layer hides the path in every layer below it. Layers are
 * decompressed on the fly (gzip, zstd or plain tar, by their magic bytes), never written anywhere,
 * and the walk stops as soon as every query is settled — mid-layer when the files are found.
 */
export async function findLayerFiles(
  layersTopDown: readonly WalkLayer[],
  queries: readonly WalkQuery[],
  options: WalkOptions = {},
): Promise<WalkResult> {
  const wanted = new Map(queries.map((q) => [normalizeTarPath(q.path), q.maxBytes]));
  const bound = options.boundBy === undefined ? undefined : normalizeTarPath(options.boundBy);
  const files = new Map<string, FoundLayerFile | undefined>([...wanted.keys()].map((p) => [p, undefined]));
  const settled = new Set<string>();
  const result: WalkResult = {
    files,
    settled,
    layersRead: 0,
    bytesRead: 0,
    stop: 'bottom',
    compressions: [],
  };
  const budget = options.maxScanBytes ?? Number.POSITIVE_INFINITY;
  const allSettled = () => settled.size === wanted.size;

  for (const layer of layersTopDown) {
    if (allSettled()) return { ...result, stop: 'settled' };
    if (bound !== undefined && settled.has(bound)) return { ...result, stop: 'bound' };
    options.signal?.throwIfAborted();
    result.layersRead++;
    let overBudget = false;
    const source = await layer.open();
    const counted = (async function* () {
      for await (const chunk of source) {
        result.bytesRead += chunk.byteLength;
        yield chunk;
        if (result.bytesRead >= budget) {
          overBudget = true;
          return;
        }
      }
    })();
    const stream = await decompress(counted);
    result.compressions.push(stream.compression);
    const hiddenBelow = new Set<string>();
    try {
      const tar = new TarReader(stream.chunks);
      for (;;) {
        options.signal?.throwIfAborted();
        const entry: TarEntry | undefined = await tar.next();
        if (!entry) break;
        const base = entry.path.slice(entry.path.lastIndexOf('/') + 1);
        for (const [path, maxBytes] of wanted) {
          if (settled.has(path)) continue;
          if (base.startsWith(WHITEOUT)) {
            if (whiteoutHides(entry.path, path)) hiddenBelow.add(path);
          } else if (entry.path === path) {
            // This layer's own entry beats any whiteout in the same layer (those hide lower layers).
            settled.add(path);
            if (entry.type === 'file') {
              const content = await tar.body(entry, maxBytes);
              files.set(path, {
                path,
                layer: layer.digest,
                size: entry.size,
                content,
                truncated: entry.size > content.length,
              });
            }
          } else if (path.startsWith(`${entry.path}/`) && entry.type !== 'directory') {
            // A file or symlink where a parent directory would be: the path is gone below.
            hiddenBelow.add(path);
          }
        }
        if (allSettled()) return { ...result, stop: 'settled' };
      }
    } catch (error) {
      // The budget cut the stream short: what was read still counts, the rest is unknown.
      if (!overBudget) throw error;
    } finally {
      stream.close();
    }
    for (const path of hiddenBelow) settled.add(path);
    if (overBudget) return { ...result, stop: 'budget' };
  }
  if (allSettled()) return { ...result, stop: 'settled' };
  // Every layer was read: what was not found is not in the image.
  for (const path of wanted.keys()) settled.add(path);
  return { ...result, stop: 'bottom' };
}

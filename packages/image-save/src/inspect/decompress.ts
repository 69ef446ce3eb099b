import { Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';

/** How a layer blob is compressed, told by its first bytes (media types are only a hint). */
export type LayerCompression = 'gzip' | 'zstd' | 'none';

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];

/** The compression of a blob whose first bytes are `head`. */
export function sniffCompression(head: Uint8Array): LayerCompression {
  if (GZIP.every((b, i) => head[i] === b)) return 'gzip';
  if (ZSTD.every((b, i) => head[i] === b)) return 'zstd';
  return 'none';
}

/** A decompressed view of a layer stream; `close()` stops it (and the source) early. */
export interface Decompressed {
  compression: LayerCompression;
  chunks: AsyncIterable<Uint8Array>;
  close(): void;
}

/**
 * Decompresses `source` by sniffing its first chunk: gzip (multi-member), zstd (node:zlib), or
 * passes a plain tar through. Nothing is buffered beyond the streams' own high-water marks.
 */
export async function decompress(source: AsyncIterable<Uint8Array>): Promise<Decompressed> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  const compression = sniffCompression(head);
  const rest = (async function* () {
    if (!first.done) yield first.value;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  const stopSource = () => {
    void it.return?.();
  };
  if (compression === 'none') return { compression, chunks: rest, close: stopSource };
  const input = Readable.from(rest, { objectMode: false });
  const inflate = compression === 'gzip' ? createGunzip() : createZstdDecompress();
  input.on('error', (error) => inflate.destroy(error));
  input.pipe(inflate);
  return {
    compression,
    chunks: inflate,
    close: () => {
      input.unpipe(inflate);
      input.destroy();
      inflate.destroy();
      stopSource();
    },
  };
}

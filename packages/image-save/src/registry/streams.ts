import { createDigester } from '../digest/digest.ts';

/** Re-cuts a byte stream into chunks of exactly `size` bytes (the last one shorter), for chunked uploads. */
export async function* rechunk(
  content: Uint8Array | AsyncIterable<Uint8Array>,
  size: number,
): AsyncIterable<Uint8Array> {
  const source: AsyncIterable<Uint8Array> =
    content instanceof Uint8Array
      ? (async function* () {
          yield content;
        })()
      : content;
  let buf: Uint8Array[] = [];
  let len = 0;
  for await (const chunk of source) {
    buf.push(chunk);
    len += chunk.byteLength;
    while (len >= size) {
      const all = Buffer.concat(buf);
      yield all.subarray(0, size);
      buf = [all.subarray(size)];
      len -= size;
    }
  }
  if (len > 0) yield Buffer.concat(buf);
}

/** Digests a stream without storing it (useful to verify pushed content). */
export async function digestStream(
  stream: AsyncIterable<Uint8Array>,
): Promise<{ digest: string; size: number }> {
  const h = createDigester();
  let size = 0;
  for await (const c of stream) {
    h.update(c);
    size += c.byteLength;
  }
  return { digest: h.digest(), size };
}

/**
 * Reads a whole stream into memory, but at most `limit` bytes: undefined (the stream destroyed) as soon
 * as it holds more, so a hostile or broken server cannot make us buffer without bound.
 */
export async function readAtMost(
  stream: AsyncIterable<Uint8Array> & { destroy?: () => void },
  limit: number,
): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > limit) {
      stream.destroy?.();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

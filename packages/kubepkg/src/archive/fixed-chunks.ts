/**
 * Re-slices a byte stream into chunks of exactly `size` bytes (the last one shorter). gzip's stored
 * blocks (and deflate's block boundaries in general) follow the sizes of the writes it is fed, so feeding
 * it fixed-size chunks makes the archive bytes independent of how the network happened to chunk a blob.
 */
export async function* fixedChunks(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const chunk of source) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const take = Math.min(size - filled, chunk.byteLength - offset);
      buffer.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        yield buffer;
        // The consumer may still hold the yielded buffer (a queued write): never reuse it.
        buffer = Buffer.allocUnsafe(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

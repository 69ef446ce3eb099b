/** A request body of `total` bytes of spaces in `chunk`-byte pieces that counts what was pulled. */
export function countingStream(total: number, chunk: number) {
  const state = { pulled: 0, cancelled: false };
  // highWaterMark 0: nothing is pulled until the reader asks, so `pulled` is what was read.
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const size = Math.min(chunk, total - state.pulled);
        if (size <= 0) {
          controller.close();
          return;
        }
        state.pulled += size;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

/** The consumer stopped reading: the try ends without a retry. */
export class Stopped extends Error {}

/**
 * Runs `produce` and yields each chunk it emits, one at a time: `emit` resolves only when the consumer asks
 * for the next chunk (no read-ahead), and rejects with {@link Stopped} once the consumer has gone.
 */
export async function* handOver(
  produce: (emit: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
): AsyncGenerator<Uint8Array, void, undefined> {
  let next = Promise.withResolvers<Uint8Array | null>(); // the next chunk; null at the end
  let pulled: PromiseWithResolvers<void> | undefined; // resolves when the consumer wants more
  let stopped = false;
  const emit = async (chunk: Uint8Array): Promise<void> => {
    if (stopped) throw new Stopped();
    pulled = Promise.withResolvers<void>();
    const wait = pulled.promise;
    next.resolve(chunk);
    await wait;
    if (stopped) throw new Stopped();
  };
  const run = produce(emit).then(
    () => next.resolve(null),
    (error: unknown) => {
      if (!stopped) next.reject(error);
    },
  );
  try {
    for (;;) {
      const chunk = await next.promise;
      if (chunk === null) return;
      next = Promise.withResolvers<Uint8Array | null>();
      yield chunk;
      pulled?.resolve();
    }
  } finally {
    stopped = true;
    pulled?.resolve();
    await run;
  }
}

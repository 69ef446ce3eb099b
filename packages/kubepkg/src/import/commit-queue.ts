/**
 * Blob commits (fsync + rename) running behind the archive stream: the next entry is read while the
 * previous blob's fsync is in flight, at most `limit` at a time. `drain` waits for all and rethrows the first
 * failure; `settle` only waits (for cleanup after another error).
 */
export class CommitQueue {
  readonly #limit: number;
  readonly #pending = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Adds a running commit; resolves once there is room for another (or throws an earlier failure). */
  async add(commit: Promise<void>): Promise<void> {
    const tracked: Promise<void> = commit.then(
      () => {
        this.#pending.delete(tracked);
      },
      (error: unknown) => {
        this.#pending.delete(tracked);
        this.#failure ??= { error };
      },
    );
    this.#pending.add(tracked);
    while (this.#pending.size >= this.#limit) await Promise.race(this.#pending);
    if (this.#failure) throw this.#failure.error;
  }

  async drain(): Promise<void> {
    await this.settle();
    if (this.#failure) throw this.#failure.error;
  }

  async settle(): Promise<void> {
    await Promise.all(this.#pending);
  }
}

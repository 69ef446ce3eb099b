/** The outcome of a parse that never throws. */
export type Result<T, E> = { success: true; data: T } | { success: false; error: E };

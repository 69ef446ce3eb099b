// The one error model of every @hub package. Each package subclasses HubError with its own closed
// `code` union (UPPER_SNAKE_CASE, as the distribution spec and tRPC spell codes) and a brand guard.

const HUB_ERROR = Symbol.for('@hub/error');

/** What every HubError may carry besides its code and message. */
export interface HubErrorOptions {
  /** The underlying failure; normalised to an Error where it was not one. */
  cause?: unknown;
  /** Whether trying the same operation again may succeed. Defaults to false. */
  retryable?: boolean;
}

/**
 * The base of every error a @hub package throws or returns.
 * `message` is for people and never contains secrets or response bodies; those live in fields.
 */
export class HubError<Code extends string = string> extends Error {
  override readonly name: string = 'HubError';
  /** Machine-readable reason from the package's closed union; stable across releases. */
  readonly code: Code;
  /** Whether trying again may help (a reset connection: yes; a malformed reference: no). */
  readonly retryable: boolean;
  readonly [HUB_ERROR] = true;

  constructor(code: Code, message: string, options: HubErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: causeFromUnknown(options.cause) });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** True for any HubError, also one thrown by a second installed copy of a @hub package. */
export function isHubError(value: unknown): value is HubError {
  return (
    typeof value === 'object' && value !== null && (value as { [HUB_ERROR]?: unknown })[HUB_ERROR] === true
  );
}

/**
 * A brand guard for one HubError subclass, matched by `name` on top of the shared brand so it
 * works across package copies where `instanceof` does not.
 */
export function hubErrorGuard<E extends HubError>(name: string): (value: unknown) => value is E {
  return (value: unknown): value is E => isHubError(value) && value.name === name;
}

/** Codes every boundary may produce on its own, whatever the package. */
export type HubBoundaryCode = 'ABORTED' | 'INTERNAL';

/**
 * Turns anything thrown into a HubError, for boundaries (CLIs, HTTP handlers, the reconcile loop).
 * A HubError passes through unchanged; an abort becomes ABORTED; anything else is INTERNAL with the
 * original kept as `cause` (in the manner of tRPC's getTRPCErrorFromUnknown).
 */
export function toHubError(value: unknown): HubError {
  if (isHubError(value)) return value;
  if (isAbortError(value))
    return new HubError<HubBoundaryCode>('ABORTED', 'the operation was aborted', { cause: value });
  const cause = causeFromUnknown(value);
  return new HubError<HubBoundaryCode>('INTERNAL', `unexpected error: ${cause.message}`, { cause });
}

/** True for an AbortSignal's abort or timeout reason (DOMException AbortError/TimeoutError). */
export function isAbortError(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const name = (value as { name?: unknown }).name;
  return name === 'AbortError' || name === 'TimeoutError' || (isHubError(value) && value.code === 'ABORTED');
}

/** Normalises a thrown value into an Error so `cause` is always inspectable. */
export function causeFromUnknown(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return new Error(`non-error thrown: ${text.slice(0, 200)}`);
}

/** Follows `cause` links and returns the chain, outermost first (bounded, cycle-safe). */
export function errorChain(value: unknown, limit = 10): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = value;
  while (current !== undefined && chain.length < limit && !chain.includes(current)) {
    chain.push(current);
    current =
      typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
  }
  return chain;
}

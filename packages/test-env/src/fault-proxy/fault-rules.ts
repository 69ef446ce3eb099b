/** Which requests a fault applies to, by the distribution API path they hit. */
export type FaultTarget = 'blob' | 'manifest' | 'token' | 'any';

/** One way a flaky link or an overloaded registry misbehaves. */
export type Fault =
  /** Send about half the body, then reset the connection (RST). */
  | { kind: 'reset' }
  /** Send about half the body, then close the connection cleanly (FIN): a short body. */
  | { kind: 'truncate' }
  /** Answer with this status instead of forwarding (no body). */
  | { kind: 'status'; status: 429 | 500 | 502 | 503; retryAfter?: string }
  /** Neither forward nor answer: the request hangs until the client gives up (a network partition). */
  | { kind: 'hold' }
  /** Send about half the body, then send nothing for `ms` (longer than the client's idle timeout). */
  | { kind: 'stall'; ms: number }
  /** Flip the first byte of the body: the length is right, the digest is not. */
  | { kind: 'corrupt' }
  /** Pause `tickMs` after every chunk: a slow link, not a broken one. */
  | { kind: 'throttle'; tickMs: number };

export interface FaultRule {
  fault: Fault;
  /** Default `any`. */
  on?: FaultTarget;
  /** How many requests this rule may still hit; it is decremented live. Default: unlimited. */
  times?: number;
  /** Body faults only hit responses whose Content-Length is at least this (default 0). */
  minBytes?: number;
  /** Only requests whose path matches. */
  path?: RegExp;
}

/** Classify a request path the way the distribution API lays it out; anything outside /v2/ is the token endpoint. */
export function faultTargetOf(url: string): Exclude<FaultTarget, 'any'> | undefined {
  if (/^\/v2\/.+\/blobs\/[a-z0-9]+:/.test(url)) return 'blob';
  if (/^\/v2\/.+\/manifests\//.test(url)) return 'manifest';
  if (!url.startsWith('/v2/')) return 'token';
  return undefined;
}

/** Faults decided before contacting upstream (status, hold) vs. once its response headers are known (body faults). */
export function isBodyFault(fault: Fault): boolean {
  return fault.kind !== 'status' && fault.kind !== 'hold';
}

/**
 * The first rule that applies to this request, consuming one of its `times`. Rules are tried in order, so a list
 * of rules mixes faults: e.g. a reset on the first manifest GET, then a 503 on the next two blob GETs.
 */
export function takeRule(
  rules: FaultRule[],
  req: { method: string; url: string; contentLength?: number | undefined },
  phase: 'request' | 'response',
): FaultRule | undefined {
  const target = faultTargetOf(req.url);
  for (const rule of rules) {
    if ((rule.times ?? Number.POSITIVE_INFINITY) <= 0) continue;
    const on = rule.on ?? 'any';
    if (on !== 'any' && on !== target) continue;
    if (rule.path && !rule.path.test(req.url)) continue;
    const body = isBodyFault(rule.fault);
    if ((phase === 'request') === body) continue;
    if (body) {
      if (req.method !== 'GET') continue;
      if ((req.contentLength ?? 0) < (rule.minBytes ?? 0)) continue;
    }
    if (rule.times !== undefined) rule.times--;
    return rule;
  }
  return undefined;
}

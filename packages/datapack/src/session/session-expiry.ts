/** Default longest session: 8 hours, for opaque tokens and JWTs that live longer. */
export const DEFAULT_SESSION_MAX_AGE_MS = 8 * 60 * 60 * 1000;

/**
 * The `exp` of a JWT in epoch milliseconds, or undefined for an opaque token (or a JWT without a
 * numeric `exp`). The signature is not checked here: the TokenReview that accepted the token did.
 */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** When a session made now ends: the token's `exp` or `now + maxAgeMs`, whichever comes first. */
export function sessionExpiry(
  token: string,
  now: number,
  maxAgeMs: number = DEFAULT_SESSION_MAX_AGE_MS,
): number {
  const cap = now + maxAgeMs;
  const exp = jwtExpiry(token);
  return exp === undefined ? cap : Math.min(exp, cap);
}

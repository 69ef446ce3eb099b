/** What an `Authorization` header held. */
export type RequestCredentials =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'invalid'; reason: 'not-basic' | 'malformed' };

// Longer than any real bearer token (ServiceAccount JWTs are ~1 KiB); bounds the work per request.
const MAX_HEADER_LENGTH = 16 * 1024;

/** Parses `Authorization: Basic base64(user:password)` (RFC 7617); anything else is not credentials we take. */
export function parseBasicCredentials(header: string | null): RequestCredentials {
  if (header === null || header.trim() === '') return { kind: 'none' };
  if (header.length > MAX_HEADER_LENGTH) return { kind: 'invalid', reason: 'malformed' };
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return { kind: 'invalid', reason: /^Basic\b/i.test(header) ? 'malformed' : 'not-basic' };
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { kind: 'invalid', reason: 'malformed' };
  return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * True when a password is a kubeconfig rather than a bearer token (the original service took whole
 * kubeconfigs): YAML or JSON with the kubeconfig's fields, or anything with a line break.
 */
export function looksLikeKubeconfig(password: string): boolean {
  return (
    /[\r\n]/.test(password) ||
    /\b(apiVersion|clusters|contexts|current-context|users)\b\s*["']?\s*:/.test(password)
  );
}

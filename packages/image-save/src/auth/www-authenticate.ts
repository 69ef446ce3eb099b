/** One challenge from a `WWW-Authenticate` header. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

const PARAM = /\s*([A-Za-z0-9._~+/-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/y;
const SCHEME = /\s*,?\s*([A-Za-z][A-Za-z0-9._~+/-]*)/y;

/**
 * Parses `WWW-Authenticate` (RFC 7235): `Bearer realm="…",service="…",scope="…"`, `Basic realm="…"`,
 * or several challenges. Scheme names and parameter names are lower-cased; quoted values may contain commas.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let current: AuthChallenge | undefined;
  let pos = 0;
  while (pos < header.length) {
    PARAM.lastIndex = pos;
    const p = current ? PARAM.exec(header) : null;
    if (p && current) {
      current.params[(p[1] as string).toLowerCase()] =
        p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
      pos = PARAM.lastIndex;
      continue;
    }
    SCHEME.lastIndex = pos;
    const s = SCHEME.exec(header);
    if (!s || s[0].length === 0) break;
    current = { scheme: (s[1] as string).toLowerCase(), params: {} };
    challenges.push(current);
    pos = SCHEME.lastIndex;
  }
  return challenges;
}

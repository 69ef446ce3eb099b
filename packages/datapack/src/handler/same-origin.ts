import { DataPackError } from '../errors.ts';

// The request's own origin: its URL's, or the Host it was sent to (frameworks such as Next.js may
// rebuild request.url with another host name; a browser always sets Host to the server it calls).
function isOwnOrigin(request: Request, origin: string): boolean {
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  const url = new URL(request.url);
  return origin === url.origin || host === request.headers.get('host');
}

/**
 * Refuses a write a browser sends from another site (CSRF): an `Origin` that is neither the
 * request's own nor in `allowed` gets 403, as does `Sec-Fetch-Site: cross-site`. Requests with no
 * `Origin` (curl, server-side calls) carry no ambient cookie risk and pass.
 */
export function assertSameOrigin(request: Request, allowed: readonly string[] = []): void {
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  const foreign =
    (origin !== null && !isOwnOrigin(request, origin) && !allowed.includes(origin)) ||
    (origin === null && site === 'cross-site');
  if (foreign) {
    throw new DataPackError('FORBIDDEN', 'writes are accepted from the hub’s own pages only.', {
      field: 'origin',
    });
  }
}

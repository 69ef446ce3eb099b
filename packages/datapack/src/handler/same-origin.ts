import { DataPackError } from '../errors.ts';

/**
 * Refuses a write a browser sends from another site (CSRF): an `Origin` that is neither the
 * request's own nor in `allowed` gets 403, as does `Sec-Fetch-Site: cross-site`. Requests with no
 * `Origin` (curl, server-side calls) carry no ambient cookie risk and pass.
 */
export function assertSameOrigin(request: Request, allowed: readonly string[] = []): void {
  const origin = request.headers.get('origin');
  const own = new URL(request.url).origin;
  const site = request.headers.get('sec-fetch-site');
  const foreign =
    (origin !== null && origin !== own && !allowed.includes(origin)) ||
    (origin === null && site === 'cross-site');
  if (foreign) {
    throw new DataPackError('FORBIDDEN', 'writes are accepted from the hub’s own pages only.', {
      field: 'origin',
    });
  }
}

import { createHash } from 'node:crypto';
import { isHubError, toHubError } from '@hub/api-types/errors';
import { type DataPackErrorCode, isDataPackError } from '../errors.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

const STATUS_OF: Readonly<Record<DataPackErrorCode, number>> = {
  INVALID_REQUEST: 400,
  INVALID_CURSOR: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  NOT_READY: 503,
  TIMEOUT: 504,
  SPEC_MISMATCH: 409,
  KUBE_API: 502,
  REGISTRY: 502,
  INVALID_OPTION: 500,
};

/** `W/"<hash>"` of a body: equal bodies give equal tags on every replica. */
export function etagOf(body: string): string {
  return `W/"${createHash('sha1').update(body).digest('base64url')}"`;
}

function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '') === bare);
}

/** A JSON read response with ETag and Cache-Control; 304 when If-None-Match already has it. */
export function jsonRead(request: Request, value: unknown, cacheControl: string): Response {
  const body = JSON.stringify(value);
  const etag = etagOf(body);
  const headers = { etag, 'cache-control': cacheControl, vary: 'Authorization, Cookie' };
  if (matches(request.headers.get('if-none-match'), etag))
    return new Response(null, { status: 304, headers });
  return new Response(body, { status: 200, headers: { ...headers, 'content-type': JSON_TYPE } });
}

/** A JSON response that is never cached. */
export function jsonFresh(value: unknown, status = 200): Response {
  return jsonText(JSON.stringify(value), status);
}

/** An already serialized JSON body, never cached. */
export function jsonText(body: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store' },
  });
}

/**
 * `{ error: { code, message, field? } }` for anything thrown. Our own errors keep their message
 * (written for people, no secrets); anything else becomes INTERNAL with a fixed message, so no
 * stack, path or upstream body leaks.
 */
export function errorResponse(error: unknown): Response {
  const hub = toHubError(error);
  if (isDataPackError(hub)) {
    const body: { code: string; message: string; field?: string } = { code: hub.code, message: hub.message };
    if (hub.field !== undefined) body.field = hub.field;
    return jsonFresh({ error: body }, STATUS_OF[hub.code]);
  }
  if (isHubError(hub) && hub.code === 'ABORTED') {
    return jsonFresh({ error: { code: 'ABORTED', message: 'the request was aborted.' } }, 499);
  }
  return jsonFresh(
    { error: { code: 'INTERNAL', message: 'internal error; the server log has details.' } },
    500,
  );
}

import type { ServerResponse } from 'node:http';

/** Sent with every registry API answer, as distribution does. */
export const API_HEADERS = { 'docker-distribution-api-version': 'registry/2.0' };

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    ...API_HEADERS,
    'content-type': 'application/json',
    'content-length': bytes.length,
  });
  res.end(headOnly ? undefined : bytes);
}

/** The distribution error body, `{ errors: [{ code, message }] }`. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ code, message }] });
}

/** 401 for a request that would fetch from the upstream without the pull-through token. */
export function sendPullThroughChallenge(res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Bearer realm="kubepkg-pull-through"');
  sendError(res, 401, 'UNAUTHORIZED', 'a valid bearer token is required to fetch from the upstream');
}

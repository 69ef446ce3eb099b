import { DataPackError } from '../errors.ts';
import type { HubSession, HubSessions } from '../session/hub-sessions.ts';
import { jsonFresh } from './http-response.ts';
import { readJsonBody } from './read-json-body.ts';
import { assertSameOrigin } from './same-origin.ts';

// A token is a few KiB at most; anything larger is not one.
const MAX_SESSION_BODY_BYTES = 64 * 1024;

function sessionBody(session: HubSession): { user: string; groups: readonly string[]; expiresAt: string } {
  // The token stays in the HttpOnly cookie: the browser's JavaScript never sees it.
  return { user: session.user, groups: session.groups, expiresAt: new Date(session.expiresAt).toISOString() };
}

function signedOut(): DataPackError {
  return new DataPackError('UNAUTHENTICATED', 'not signed in.', { field: 'session' });
}

/** `GET|POST|DELETE /session`: who is signed in, sign in with `{ token }`, sign out. */
export async function sessionRoute(
  request: Request,
  sessions: HubSessions | undefined,
  allowedOrigins: readonly string[],
): Promise<Response> {
  if (sessions === undefined) {
    throw new DataPackError('NOT_FOUND', 'this hub has no sign-in (no session secret configured).', {
      field: 'path',
    });
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    const session = await sessions.current(request);
    if (session === undefined) throw signedOut();
    return jsonFresh(sessionBody(session));
  }
  if (request.method === 'POST') {
    assertSameOrigin(request, allowedOrigins);
    const body = await readJsonBody(request, MAX_SESSION_BODY_BYTES);
    const token = (body as { token?: unknown } | null)?.token;
    if (typeof token !== 'string' || token.trim() === '') {
      throw new DataPackError('INVALID_REQUEST', 'send { "token": "<a Kubernetes token>" }.', {
        field: 'token',
      });
    }
    const { session, setCookie } = await sessions.signIn(request, token.trim());
    const response = jsonFresh(sessionBody(session));
    response.headers.append('set-cookie', setCookie);
    return response;
  }
  if (request.method === 'DELETE') {
    assertSameOrigin(request, allowedOrigins);
    const response = new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
    response.headers.append('set-cookie', sessions.signOut(request));
    return response;
  }
  throw new DataPackError('METHOD_NOT_ALLOWED', 'this route answers GET, POST and DELETE only.', {
    field: 'method',
  });
}

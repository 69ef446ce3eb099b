// Browser-side calls to the hub API: same origin, the HttpOnly session cookie goes along by itself.

/** The API's error message for a failed answer, or a fallback. */
export async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    return body.error?.message ?? `the hub answered HTTP ${response.status}`;
  } catch {
    return `the hub answered HTTP ${response.status}`;
  }
}

/** A JSON write to `/api/hub{path}`; resolves to the error message, or null on success. */
export async function hubWrite(
  method: 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<string | null> {
  const response = await fetch(`/api/hub${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.ok ? null : errorMessage(response);
}

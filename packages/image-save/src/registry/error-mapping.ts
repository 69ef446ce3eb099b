import type { Dispatcher } from 'undici';
import { RegistryError, type RegistryErrorCode } from './registry-error.ts';
import { parseRetryAfter } from './retry.ts';

/** What a request was for, so errors can say it. */
export interface RequestContext {
  method: string;
  repository?: string;
  /** The tag or digest asked for. */
  reference?: string;
  /** What was being fetched, for people: `manifest sha256:…`, `blob sha256:…`, `the tag list`. */
  what?: string;
}

/** Distribution spec error codes (the response body's `errors[0].code`) to ours. */
const DISTRIBUTION_CODES: Readonly<Record<string, RegistryErrorCode>> = {
  MANIFEST_UNKNOWN: 'MANIFEST_UNKNOWN',
  BLOB_UNKNOWN: 'BLOB_UNKNOWN',
  NAME_UNKNOWN: 'NAME_UNKNOWN',
  NAME_INVALID: 'NAME_INVALID',
  TAG_INVALID: 'TAG_INVALID',
  MANIFEST_INVALID: 'MANIFEST_INVALID',
  MANIFEST_BLOB_UNKNOWN: 'MANIFEST_INVALID',
  DENIED: 'DENIED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  TOOMANYREQUESTS: 'TOO_MANY_REQUESTS',
  UNSUPPORTED: 'UNSUPPORTED',
};

/** HTTP statuses to codes when the body names none; other 5xx are SERVER_ERROR, the rest UNEXPECTED_STATUS. */
const STATUS_CODES: Readonly<Record<number, RegistryErrorCode>> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  404: 'MANIFEST_UNKNOWN',
  405: 'UNSUPPORTED',
  408: 'TIMEOUT',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
  429: 'TOO_MANY_REQUESTS',
  501: 'UNSUPPORTED',
  505: 'UNSUPPORTED',
};

/** The code for an HTTP answer: the registry's own code first, then the status table. */
export function statusToCode(status: number, registryCode: string | undefined): RegistryErrorCode {
  const named = registryCode === undefined ? undefined : DISTRIBUTION_CODES[registryCode];
  if (named) return named;
  return STATUS_CODES[status] ?? (status >= 500 ? 'SERVER_ERROR' : 'UNEXPECTED_STATUS');
}

/** Network error codes (Node, undici) to ours; anything not listed is NETWORK. */
const NETWORK_CODES: Readonly<Record<string, RegistryErrorCode>> = {
  ABORT_ERR: 'ABORTED',
  ENOTFOUND: 'HOST_NOT_FOUND',
  EAI_AGAIN: 'HOST_NOT_FOUND',
  UND_ERR_HEADERS_TIMEOUT: 'TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'TIMEOUT',
  UND_ERR_CONNECT_TIMEOUT: 'TIMEOUT',
  EPROTO: 'TLS',
};

/** What happened, for people; the object (`what`) and host are filled in. Never a response body. */
const MESSAGES: Readonly<
  Record<RegistryErrorCode, (c: { host: string; what: string; status: number }) => string>
> = {
  MANIFEST_UNKNOWN: (c) => `${c.host} has no ${c.what}; check the reference`,
  BLOB_UNKNOWN: (c) => `${c.host} has no ${c.what}`,
  NAME_UNKNOWN: (c) => `${c.host} has no such repository (asked for ${c.what}); check the name`,
  NAME_INVALID: (c) => `${c.host} says the repository name is invalid (asked for ${c.what})`,
  TAG_INVALID: (c) => `${c.host} says the tag is invalid (asked for ${c.what})`,
  MANIFEST_INVALID: (c) => `${c.host} rejected ${c.what} as invalid`,
  MANIFEST_TOO_LARGE: (c) => `${c.what} from ${c.host} is over the size limit`,
  UNAUTHORIZED: (c) =>
    `${c.host} refused ${c.what} without valid credentials (HTTP ${c.status}); log in (docker login) or check your docker config`,
  DENIED: (c) => `${c.host} denied access to ${c.what} for these credentials (HTTP ${c.status})`,
  TOO_MANY_REQUESTS: (c) => `${c.host} rate-limited ${c.what} (HTTP 429); try again later or authenticate`,
  DIGEST_MISMATCH: (c) => `${c.what} from ${c.host} does not hash to its digest`,
  SIZE_MISMATCH: (c) => `${c.what} from ${c.host} arrived with the wrong length`,
  UNSUPPORTED_MEDIA_TYPE: (c) => `${c.host} rejected the media type of ${c.what} (HTTP 415)`,
  SCHEMA1_UNSUPPORTED: (c) => `${c.what} is a Docker schema 1 manifest, which is not supported`,
  RANGE_NOT_SATISFIABLE: (c) => `${c.host} refused to resume ${c.what} (HTTP 416)`,
  UNSUPPORTED: (c) => `${c.host} does not support this request for ${c.what} (HTTP ${c.status})`,
  SERVER_ERROR: (c) => `${c.host} answered HTTP ${c.status} for ${c.what}`,
  UNEXPECTED_STATUS: (c) => `${c.host} answered an unexpected HTTP ${c.status} for ${c.what}`,
  HOST_NOT_FOUND: (c) => `registry host ${c.host} could not be resolved; check the image reference`,
  TLS: (c) => `TLS to ${c.host} failed`,
  NETWORK: (c) => `the connection to ${c.host} failed while fetching ${c.what}`,
  TIMEOUT: (c) => `${c.host} stopped responding while sending ${c.what}`,
  ABORTED: (c) => `fetching ${c.what} from ${c.host} was cancelled`,
};

function whatOf(o: RequestContext, url?: URL): string {
  return o.what ?? (o.reference ? o.reference : url ? url.pathname : 'the request');
}

/** A typed error for an HTTP answer that is not one of the expected statuses (reads at most 64 KiB of body). */
export async function statusError(
  status: number,
  res: Dispatcher.ResponseData | undefined,
  url: URL,
  o: RequestContext,
): Promise<RegistryError> {
  let registryCode: string | undefined;
  let registryMessage: string | undefined;
  const retryAfter = res?.headers['retry-after'];
  const retryAfterSeconds = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  if (res) {
    try {
      const text = o.method === 'HEAD' ? '' : (await res.body.text()).slice(0, 64 * 1024);
      const first = (JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] }).errors?.[0];
      if (typeof first?.code === 'string') registryCode = first.code;
      if (typeof first?.message === 'string') registryMessage = first.message;
    } catch {
      // Not a distribution error body (or it broke off): the status alone decides.
    }
  }
  const code = statusToCode(status, registryCode);
  const what = whatOf(o, url);
  const message = MESSAGES[code]({ host: url.host, what, status });
  return new RegistryError(code, message, {
    status,
    host: url.host,
    ...(o.repository ? { repository: o.repository } : {}),
    ...(o.reference ? { reference: o.reference } : {}),
    ...(registryCode ? { registryCode } : {}),
    ...(registryMessage ? { registryMessage } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}

/** A typed error for a failed connection, before the answer (`request`) or while its body streamed (`mid-body`). */
export function networkError(
  cause: unknown,
  host: string,
  o: RequestContext,
  phase: 'request' | 'mid-body',
): RegistryError {
  const err = cause as { code?: unknown; name?: unknown; message?: unknown };
  const raw = typeof err?.code === 'string' ? err.code : '';
  const text = typeof err?.message === 'string' ? err.message : String(cause);
  let code: RegistryErrorCode =
    err?.name === 'AbortError'
      ? 'ABORTED'
      : (NETWORK_CODES[raw] ?? (/CERT|SSL|TLS|SELF_SIGNED/i.test(raw) ? 'TLS' : 'NETWORK'));
  if (code === 'NETWORK' && /wrong version number|packet length too long/i.test(text)) code = 'TLS';
  const what = whatOf(o);
  let message = MESSAGES[code]({ host, what, status: 0 });
  if (code === 'NETWORK' || code === 'TIMEOUT')
    message = `${message}: ${phase === 'mid-body' ? 'the body broke off' : 'no answer'} (${text}${raw && !text.includes(raw) ? `, ${raw}` : ''})`;
  if (code === 'TLS')
    message = `${message} (${raw || text}); pass a CA, opt in with --insecure-skip-tls-verify ${host}, or with --plain-http ${host} if it serves plain HTTP`;
  return new RegistryError(code, message, {
    host,
    cause,
    ...(o.repository ? { repository: o.repository } : {}),
    ...(o.reference ? { reference: o.reference } : {}),
  });
}

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

/** TLS material for a request to the test apiserver or webhook server. */
export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
}

/** Minimal response of {@link simpleRequest}. */
export interface SimpleResponse {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * One small HTTP(S) request with custom CA and client certificate, which global `fetch` cannot take without an
 * undici dispatcher. Used only for health probes, discovery polls and dry-run probes against local servers.
 */
export function simpleRequest(
  url: string,
  options: TlsOptions & {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        timeout: options.timeoutMs ?? 5000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined, or throws `onTimeout()`. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  options: {
    timeoutMs: number;
    intervalMs: number;
    onTimeout: () => Error;
    abortIf?: () => Error | undefined;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const abort = options.abortIf?.();
    if (abort) throw abort;
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw options.onTimeout();
    await sleep(options.intervalMs);
  }
}

import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to blob GETs (`/v2/<name>/blobs/<digest>`). */
export type FaultMode =
  | { kind: 'none' }
  | {
      kind: 'drop-mid-blob';
      times: number /** only blobs at least this large (default 0) */;
      minBytes?: number;
    }
  | { kind: 'status'; status: 429 | 500; times: number; retryAfter?: string }
  | { kind: 'corrupt' }
  | { kind: 'throttle'; tickMs: number };

/** A node:http proxy in front of a registry that counts requests and injects faults into blob GETs. */
export interface FaultProxy {
  host: string;
  mode: FaultMode;
  blobGets: number;
  manifestGets: number;
  manifestHeads: number;
  rangeRequests: string[];
  close(): Promise<void>;
}

export async function startFaultProxy(
  target: string,
  mode: FaultMode = { kind: 'none' },
): Promise<FaultProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const state: Omit<FaultProxy, 'host' | 'close'> = {
    mode,
    blobGets: 0,
    manifestGets: 0,
    manifestHeads: 0,
    rangeRequests: [] as string[],
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const isBlobGet = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '');
    if (/\/manifests\//.test(req.url ?? '')) {
      if (req.method === 'GET') state.manifestGets++;
      if (req.method === 'HEAD') state.manifestHeads++;
    }
    if (isBlobGet) {
      state.blobGets++;
      if (req.headers.range) state.rangeRequests.push(req.headers.range);
      const m = state.mode;
      if (m.kind === 'status' && m.times > 0) {
        m.times--;
        res.writeHead(m.status, m.retryAfter ? { 'retry-after': m.retryAfter } : {});
        res.end();
        return;
      }
    }
    const upstream = httpRequest(
      {
        host: targetHost,
        port: Number(targetPort),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        const m = state.mode;
        if (!isBlobGet || m.kind === 'none' || m.kind === 'status' || (up.statusCode ?? 0) >= 300) {
          up.pipe(res);
          return;
        }
        const length = Number(up.headers['content-length'] ?? 0);
        if (m.kind === 'drop-mid-blob' && m.times > 0 && length >= (m.minBytes ?? 0)) {
          m.times--;
          const half = Math.floor(length / 2);
          let sent = 0;
          up.on('data', (chunk: Buffer) => {
            if (sent >= half) return;
            const part = chunk.subarray(0, Math.max(0, half - sent));
            sent += part.byteLength;
            res.write(part);
            if (sent >= half) {
              up.destroy();
              res.socket?.destroy();
            }
          });
          return;
        }
        if (m.kind === 'corrupt') {
          let first = true;
          up.on('data', (chunk: Buffer) => {
            if (first && chunk.byteLength > 0) {
              first = false;
              const copy = Buffer.from(chunk);
              copy[0] = (copy[0] ?? 0) ^ 0xff;
              res.write(copy);
            } else res.write(chunk);
          });
          up.on('end', () => res.end());
          return;
        }
        if (m.kind === 'throttle') {
          // Slow the body down: pause upstream for tickMs after each chunk.
          up.on('data', (c: Buffer) => {
            res.write(c);
            up.pause();
            setTimeout(() => up.resume(), m.tickMs);
          });
          up.on('end', () => res.end());
          res.on('close', () => up.destroy());
          return;
        }
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // The handler mutates `state`, so returning it (plus host and close) gives tests a live view of the counters.
  const proxy: FaultProxy = Object.assign(state, {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return proxy;
}

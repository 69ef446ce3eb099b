import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { type Fault, type FaultRule, faultTargetOf, takeRule } from './fault-rules.ts';

/** One fault the proxy injected, for tests to assert that the fault really happened. */
export interface InjectedFault {
  kind: Fault['kind'];
  method: string;
  url: string;
}

/** How the proxy reaches its target. */
export interface FaultProxyOptions {
  /**
   * Forward over TLS, presenting this client certificate: a plain-HTTP front for an apiserver (the proxy
   * authenticates; its clients send no credentials).
   */
  upstreamTls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
}

/**
 * A node:http proxy in front of a registry (or an apiserver) that counts requests and injects faults. Its
 * fields are live: the handler updates the counters, and tests may replace `rules` between runs.
 */
export interface FaultProxy {
  /** `127.0.0.1:<port>`: use it as the registry host (plain HTTP). */
  host: string;
  rules: FaultRule[];
  blobGets: number;
  manifestGets: number;
  manifestHeads: number;
  /** Range headers seen on blob GETs. */
  rangeRequests: string[];
  /** Every request as `METHOD /path?query`, in arrival order. */
  requests: string[];
  /** Every request sent on to the target as `METHOD /path?query`, with `Date.now()` when it was sent. */
  forwarded: Array<{ request: string; at: number }>;
  injected: InjectedFault[];
  /**
   * A network partition from now on: open connections are reset, and every new request is held, neither
   * forwarded nor answered. Held requests still count in `requests`.
   */
  cut(): void;
  /**
   * Ends a {@link cut}. Held requests whose client still waits are forwarded now, as TCP delivers what a
   * connection sent during a partition once it heals; those whose client gave up are dropped.
   */
  heal(): void;
  close(): Promise<void>;
}

const CUT: FaultRule = { fault: { kind: 'hold' } };

/** Start a proxy to `target` (`host:port`, plain HTTP) applying `rules` in order (see {@link takeRule}). */
export async function startFaultProxy(
  target: string,
  rules: FaultRule | FaultRule[] = [],
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const state: Omit<FaultProxy, 'host' | 'cut' | 'heal' | 'close'> = {
    rules: Array.isArray(rules) ? rules : [rules],
    blobGets: 0,
    manifestGets: 0,
    manifestHeads: 0,
    rangeRequests: [],
    requests: [],
    forwarded: [],
    injected: [],
  };
  const tls = options.upstreamTls;
  const send = tls ? httpsRequest : httpRequest;
  const held = new Set<() => void>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const kind = faultTargetOf(url);
    state.requests.push(`${method} ${url}`);
    if (kind === 'manifest' && method === 'GET') state.manifestGets++;
    if (kind === 'manifest' && method === 'HEAD') state.manifestHeads++;
    if (kind === 'blob' && method === 'GET') {
      state.blobGets++;
      if (req.headers.range) state.rangeRequests.push(req.headers.range);
    }
    const early = takeRule(state.rules, { method, url }, 'request');
    if (early?.fault.kind === 'status') {
      state.injected.push({ kind: 'status', method, url });
      res.writeHead(
        early.fault.status,
        early.fault.retryAfter ? { 'retry-after': early.fault.retryAfter } : {},
      );
      res.end();
      req.resume();
      return;
    }
    if (early?.fault.kind === 'hold') {
      state.injected.push({ kind: 'hold', method, url });
      // Read the body now: a socket left unread would not notice that its client gave up.
      const body: Buffer[] = [];
      req.on('data', (chunk: Buffer) => body.push(chunk));
      const release = () => {
        held.delete(release);
        const go = () => {
          if (!res.destroyed) forward(req, res, method, url, Buffer.concat(body));
        };
        if (req.complete) go();
        else req.once('end', go);
      };
      held.add(release);
      res.once('close', () => held.delete(release));
      return;
    }
    forward(req, res, method, url);
  });
  const forward = (req: IncomingMessage, res: ServerResponse, method: string, url: string, body?: Buffer) => {
    state.forwarded.push({ request: `${method} ${url}`, at: Date.now() });
    const upstream = send(
      {
        host: targetHost,
        port: Number(targetPort),
        method,
        path: url,
        headers: { ...req.headers, host: target },
        ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        const length = up.headers['content-length'] ? Number(up.headers['content-length']) : undefined;
        const rule =
          (up.statusCode ?? 0) < 300
            ? takeRule(state.rules, { method, url, contentLength: length }, 'response')
            : undefined;
        if (!rule) {
          up.pipe(res);
          return;
        }
        if (rule.fault.kind !== 'throttle') state.injected.push({ kind: rule.fault.kind, method, url });
        applyBodyFault(rule.fault, up, res, length);
      },
    );
    // A broken upstream (or a request Node refuses to send) is a reset for the client, never a proxy crash.
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    if (body) upstream.end(body);
    else req.pipe(upstream);
  };
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const proxy: FaultProxy = Object.assign(state, {
    host: `127.0.0.1:${port}`,
    cut() {
      if (!state.rules.includes(CUT)) state.rules.unshift(CUT);
      for (const socket of sockets) socket.destroy();
    },
    heal() {
      state.rules = state.rules.filter((rule) => rule !== CUT);
      for (const release of [...held]) release();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return proxy;
}

/** Forward `up` into `res`, breaking it the way `fault` says. */
function applyBodyFault(
  fault: Fault,
  up: IncomingMessage,
  res: ServerResponse,
  length: number | undefined,
): void {
  if (fault.kind === 'corrupt') {
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
  if (fault.kind === 'throttle') {
    up.on('data', (c: Buffer) => {
      res.write(c);
      up.pause();
      setTimeout(() => up.resume(), fault.tickMs);
    });
    up.on('end', () => res.end());
    return;
  }
  // reset, truncate, stall: send the first half (at least one byte, never the whole body), then break.
  const half = length === undefined ? 1 : Math.max(1, Math.min(length - 1, Math.floor(length / 2)));
  let sent = 0;
  let broken = false;
  const breakNow = () => {
    up.destroy();
    const socket = res.socket;
    if (!socket) return;
    if (fault.kind === 'reset') socket.resetAndDestroy();
    else if (fault.kind === 'truncate') socket.end();
    else {
      // stall: keep the connection open and silent, then drop it if the client has not given up by then.
      const timer = setTimeout(() => socket.destroy(), fault.kind === 'stall' ? fault.ms : 0);
      socket.once('close', () => clearTimeout(timer));
    }
  };
  up.on('data', (chunk: Buffer) => {
    if (broken) return;
    const part = chunk.subarray(0, Math.max(0, half - sent));
    sent += part.byteLength;
    if (sent < half) res.write(part);
    else {
      // Break only once the first half is on the wire, so the client really holds a partial body.
      up.pause();
      res.write(part, () => breakNow());
      broken = true;
    }
  });
  up.on('end', () => {
    if (broken) return;
    broken = true;
    breakNow();
  });
}

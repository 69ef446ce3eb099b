import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { ControllerError } from '../errors.ts';

/** A named check for /healthz or /readyz: returns undefined when fine, else why not. */
export type Check = () => string | undefined;

export interface EndpointServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Parses a bind address: `:8080`, `127.0.0.1:8080`, `8080`; `0` means off (undefined). */
export function parseServingAddress(value: string): { host: string; port: number } | undefined {
  if (value === '0') return undefined;
  const match = /^(?:(.*):)?(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65535) {
    throw new ControllerError(
      'INVALID_FLAG',
      `bind address ${JSON.stringify(value)} must look like :8080, HOST:PORT or 0 (off)`,
    );
  }
  const host = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host: host || '0.0.0.0', port };
}

async function listen(
  server: Server,
  bind: { host: string; port: number },
  what: string,
): Promise<EndpointServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new ControllerError(
          'BIND_FAILED',
          `the ${what} server could not listen on ${bind.host}:${bind.port}`,
          { cause },
        ),
      ),
    );
    server.listen(bind.port, bind.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function runChecks(checks: Record<string, Check>, verbose: boolean): { ok: boolean; text: string } {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of Object.entries(checks)) {
    let problem: string | undefined;
    try {
      problem = check();
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (problem) ok = false;
    lines.push(problem ? `[-]${name} failed: ${problem}` : `[+]${name} ok`);
  }
  if (!verbose && ok) return { ok, text: 'ok' };
  return { ok, text: `${lines.join('\n')}\n${ok ? 'healthz check passed' : 'check failed'}` };
}

/** `/healthz` and `/readyz` with named checks, as controller-runtime's health probe server answers them. */
export function startProbeServer(
  bind: { host: string; port: number },
  checks: { healthz: Record<string, Check>; readyz: Record<string, Check> },
): Promise<EndpointServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://probe');
    const set =
      url.pathname === '/healthz' ? checks.healthz : url.pathname === '/readyz' ? checks.readyz : undefined;
    if (!set) {
      res.writeHead(404).end('not found\n');
      return;
    }
    const { ok, text } = runChecks(set, url.searchParams.has('verbose'));
    res.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
  });
  return listen(server, bind, 'health probe');
}

/** `/metrics` in the Prometheus text format. */
export function startMetricsServer(
  bind: { host: string; port: number },
  registry: Registry,
): Promise<EndpointServer> {
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end('metrics failed\n'),
    );
  });
  return listen(server, bind, 'metrics');
}

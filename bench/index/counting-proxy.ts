// A plain HTTP proxy in front of the registry that counts requests and the response bytes it
// actually sent, per kind of request: what a client costs the registry, measured on the wire.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WireCounts {
  requests: Record<string, number>;
  bytes: Record<string, number>;
  /** Blob bytes by the group `groupOf` gives each path. */
  blobBytesByGroup: Record<string, number>;
}

export async function startCountingProxy(
  target: string,
  groupOf: (path: string) => string = () => 'all',
): Promise<{
  host: string;
  counts: WireCounts;
  reset(): void;
  stop(): Promise<void>;
}> {
  const targetUrl = new URL(target);
  let counts: WireCounts = { requests: {}, bytes: {}, blobBytesByGroup: {} };
  const kind = (path: string) =>
    /\/blobs\//.test(path)
      ? 'blob'
      : /\/manifests\//.test(path)
        ? 'manifest'
        : /\/tags\/list/.test(path)
          ? 'tags'
          : /_catalog/.test(path)
            ? 'catalog'
            : 'other';
  const server = createServer((req, res) => {
    const k = kind(req.url ?? '');
    const group = groupOf(req.url ?? '');
    counts.requests[k] = (counts.requests[k] ?? 0) + 1;
    const upstream = request(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.on('data', (chunk: Buffer) => {
          counts.bytes[k] = (counts.bytes[k] ?? 0) + chunk.length;
          if (k === 'blob')
            counts.blobBytesByGroup[group] = (counts.blobBytesByGroup[group] ?? 0) + chunk.length;
        });
        up.pipe(res);
        // A client that stops reading closes its socket: stop pulling from the registry too.
        res.on('close', () => up.destroy());
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    get counts() {
      return counts;
    },
    reset() {
      counts = { requests: {}, bytes: {}, blobBytesByGroup: {} };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

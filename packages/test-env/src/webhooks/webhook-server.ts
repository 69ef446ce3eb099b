import type { RequestListener } from 'node:http';
import { createServer } from 'node:https';
import { createCertificateAuthority } from '../certs/tiny-ca.ts';

/** Path prefix the webhook server answers itself, for registerWebhooks' readiness probe. */
export const PROBE_PATH_PREFIX = '/__hub-testenv/probe/';

/** A local HTTPS server for admission webhooks, with its own CA (like envtest's webhook TinyCA). */
export interface WebhookServer extends AsyncDisposable {
  /** `https://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** PEM of the CA that signed the serving certificate. */
  readonly caPem: string;
  /** Base64 of `caPem`: the value for `clientConfig.caBundle`. */
  readonly caBundle: string;
  /** Number of requests handled so far (probes excluded). */
  requestCount(): number;
  /** Resolves when the apiserver has called the probe path with this id. */
  probeSeen(id: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts an HTTPS server on 127.0.0.1 and a free port, serving `handler` with a certificate for localhost and
 * 127.0.0.1. Requests under {@link PROBE_PATH_PREFIX} are answered with an allowing AdmissionReview and recorded.
 */
export async function startWebhookServer(handler: RequestListener): Promise<WebhookServer> {
  const ca = await createCertificateAuthority('hub-testenv-webhook-ca');
  const serving = await ca.issue({
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  const seen = new Set<string>();
  const waiters = new Map<string, Array<() => void>>();
  let count = 0;
  const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    if (req.url?.startsWith(PROBE_PATH_PREFIX)) {
      // The apiserver appends `?timeout=Ns`.
      const id = req.url.slice(PROBE_PATH_PREFIX.length).split('?')[0] ?? '';
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let uid = '';
        try {
          uid = JSON.parse(Buffer.concat(chunks).toString('utf8'))?.request?.uid ?? '';
        } catch {
          // A malformed probe still proves the apiserver called us.
        }
        seen.add(id);
        for (const resolve of waiters.get(id) ?? []) resolve();
        waiters.delete(id);
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            response: { uid, allowed: true },
          }),
        );
      });
      return;
    }
    count++;
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return stopped;
  };
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caPem: ca.certPem,
    caBundle: Buffer.from(ca.certPem).toString('base64'),
    requestCount: () => count,
    probeSeen: (id) =>
      seen.has(id)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.set(id, [...(waiters.get(id) ?? []), resolve])),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

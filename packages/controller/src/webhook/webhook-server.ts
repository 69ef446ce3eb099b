import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AdmissionDecision, AdmissionRequest, CacheView, CataloguePolicy } from '@hub/reconcilers';
import { ControllerError } from '../errors.ts';
import type { Logger } from '../runtime/logger.ts';
import type { ControllerMetrics } from '../runtime/metrics.ts';
import type { WebhookDefinition } from './webhook-definition.ts';

export interface WebhookServerOptions {
  definitions: readonly WebhookDefinition[];
  cache: CacheView;
  policy: () => CataloguePolicy;
  port: number;
  host?: string;
  cert: { certPem: string; keyPem: string };
  /** Re-read tls.crt/tls.key from here every minute (cert-manager rotates them in place). */
  certDir?: string;
  metrics?: ControllerMetrics;
  log?: Logger;
  /**
   * False until the informer caches have synced: the reviews are then answered 503, which the
   * apiserver treats as a failed call (failurePolicy), never decided on an empty cache.
   */
  synced?: () => boolean;
  /**
   * How long `close()` lets requests already on a connection finish (default 2 s) before it cuts
   * what is left: cutting at once failed the apiserver's in-flight calls during a rolling update.
   */
  drainMs?: number;
}

export interface WebhookServer {
  readonly port: number;
  serving(): boolean;
  close(): Promise<void>;
}

/** The AdmissionReview body limit: the apiserver's own request limit is 3 MiB. */
const MAX_BODY = 3 * 1024 * 1024;

interface AdmissionReview {
  apiVersion?: string;
  kind?: string;
  request?: AdmissionRequest;
}

/** Wraps a definition's decision into an AdmissionReview v1 response; a thrown `review` becomes a denial. */
export function answerAdmission(
  definition: WebhookDefinition,
  request: AdmissionRequest,
  context: { cache: CacheView; policy: CataloguePolicy },
  log?: Logger,
): Record<string, unknown> {
  let decision: AdmissionDecision;
  try {
    decision = definition.review(request, context);
  } catch (error) {
    log?.error('an admission review threw; denying', { webhook: definition.name, error, uid: request.uid });
    decision = {
      allowed: false,
      code: 500,
      message: `the ${definition.name} webhook failed on this object; it was not admitted`,
    };
  }
  const response: Record<string, unknown> = { uid: request.uid, allowed: decision.allowed };
  if (!decision.allowed) {
    response.status = {
      code: decision.code ?? 403,
      message: decision.message ?? 'denied',
      reason: decision.code === 422 ? 'Invalid' : 'Forbidden',
    };
  }
  if (decision.allowed && decision.patch && decision.patch.length > 0 && definition.type === 'mutating') {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  }
  if (decision.warnings?.length) response.warnings = decision.warnings;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/** The HTTPS admission server (AdmissionReview v1); one path per WebhookDefinition. */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const byPath = new Map(options.definitions.map((d) => [d.path, d]));
  const { log, metrics } = options;
  let listening = false;
  // While closing, every answer asks the client to close its connection, so keep-alive
  // connections end after their current request instead of being cut under it.
  let draining = false;
  const server: Server = createServer(
    { cert: options.cert.certPem, key: options.cert.keyPem, requestTimeout: 10_000, headersTimeout: 5_000 },
    (req, res) => {
      const started = performance.now();
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const definition = byPath.get(path);
      const finish = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          ...(draining ? { connection: 'close' } : {}),
        });
        res.end(text);
        metrics?.webhookRequests.inc({ webhook: path, code: String(status) });
        metrics?.webhookLatency.observe({ webhook: path }, (performance.now() - started) / 1000);
      };
      if (!definition) return finish(404, { error: `no webhook at ${path}` });
      if (req.method !== 'POST') return finish(405, { error: 'admission reviews are POSTed' });
      if (options.synced !== undefined && !options.synced()) {
        req.resume();
        return finish(503, {
          error: 'hub-controller is starting: its caches are not synced yet; retry shortly',
        });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          finish(413, { error: 'admission review too large' });
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('error', () => {});
      req.on('end', () => {
        if (res.writableEnded) return;
        let review: AdmissionReview;
        try {
          review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AdmissionReview;
        } catch {
          return finish(400, { error: 'the body is not JSON' });
        }
        const request = review?.request;
        if (typeof request !== 'object' || request === null || typeof request.uid !== 'string') {
          return finish(400, { error: 'not an AdmissionReview v1 with a request' });
        }
        finish(
          200,
          answerAdmission(definition, request, { cache: options.cache, policy: options.policy() }, log),
        );
      });
    },
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new ControllerError('BIND_FAILED', `the webhook server could not listen on port ${options.port}`, {
          cause: error,
        }),
      ),
    );
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  listening = true;
  server.on('error', (error) => log?.error('webhook server error', { error }));
  let reload: NodeJS.Timeout | undefined;
  if (options.certDir) {
    const dir = options.certDir;
    let last = `${options.cert.certPem}${options.cert.keyPem}`;
    reload = setInterval(() => {
      void loadCertDir(dir).then(
        (cert) => {
          if (`${cert.certPem}${cert.keyPem}` === last) return;
          last = `${cert.certPem}${cert.keyPem}`;
          server.setSecureContext({ cert: cert.certPem, key: cert.keyPem });
          log?.info('reloaded the webhook serving certificate', { dir });
        },
        (error: unknown) =>
          log?.error('could not reload the webhook certificate; keeping the old one', { error }),
      );
    }, 60_000);
    reload.unref();
  }
  return {
    port: (server.address() as AddressInfo).port,
    serving: () => listening,
    close: () =>
      new Promise<void>((resolve) => {
        listening = false;
        draining = true;
        clearInterval(reload);
        // close() stops accepting and closes idle connections; busy ones get drainMs to finish.
        const cut = setTimeout(() => server.closeAllConnections(), options.drainMs ?? 2000);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
      }),
  };
}

/** Reads `tls.crt` and `tls.key` (the cert-manager Secret layout). */
export async function loadCertDir(dir: string): Promise<{ certPem: string; keyPem: string }> {
  try {
    const [certPem, keyPem] = await Promise.all([
      readFile(join(dir, 'tls.crt'), 'utf8'),
      readFile(join(dir, 'tls.key'), 'utf8'),
    ]);
    return { certPem, keyPem };
  } catch (cause) {
    throw new ControllerError('WEBHOOK_CERT', `--webhook-cert-dir ${dir} must hold tls.crt and tls.key`, {
      cause,
    });
  }
}

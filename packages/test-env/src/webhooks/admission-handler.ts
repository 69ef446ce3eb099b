import type { IncomingMessage, ServerResponse } from 'node:http';

/** The parts of an admission.k8s.io/v1 AdmissionRequest that tests usually look at. */
export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  operation: string;
  namespace?: string;
  name?: string;
  userInfo: { username?: string; groups?: string[] };
  object?: Record<string, unknown>;
  oldObject?: Record<string, unknown>;
  dryRun?: boolean;
}

/** What an admission handler decides. `patch` is a JSON Patch (mutating webhooks only). */
export interface AdmissionDecision {
  allowed: boolean;
  message?: string;
  code?: number;
  patch?: ReadonlyArray<Record<string, unknown>>;
  warnings?: readonly string[];
}

/**
 * Adapts a decision function to an HTTPS request listener that speaks AdmissionReview v1, for use with
 * {@link startWebhookServer}. Errors thrown by `decide` deny the request with code 500.
 */
export function admissionReviewHandler(
  decide: (request: AdmissionRequest) => AdmissionDecision | Promise<AdmissionDecision>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let uid = '';
      let response: Record<string, unknown>;
      try {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: AdmissionRequest };
        uid = review.request.uid;
        const decision = await decide(review.request);
        response = { uid, allowed: decision.allowed };
        if (decision.message !== undefined || decision.code !== undefined) {
          response.status = {
            message: decision.message ?? '',
            code: decision.code ?? (decision.allowed ? 200 : 403),
          };
        }
        if (decision.warnings) response.warnings = decision.warnings;
        if (decision.patch) {
          response.patchType = 'JSONPatch';
          response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
        }
      } catch (error) {
        response = { uid, allowed: false, status: { code: 500, message: String(error) } };
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  };
}

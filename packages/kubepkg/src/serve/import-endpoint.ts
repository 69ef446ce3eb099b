import type { IncomingMessage, ServerResponse } from 'node:http';
import { contextNamespace, upsertKubePkgObject } from '../apply/upsert-kubepkg-object.ts';
import { isKubePkgError } from '../errors.ts';
import { importKubePkg } from '../import/import-kubepkg.ts';
import { kubePkgsOf } from '../spec/safe-parse.ts';
import { bearerMatches } from './bearer-token.ts';
import { sendError, sendJson } from './responses.ts';
import type { ServeContext } from './serve-context.ts';

const DEFAULT_MAX_IMPORT_BYTES = 64 * 1024 ** 3;
// RFC 1123 label, Kubernetes' rule for namespace names.
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * `POST /api/kubepkg/import[?apply=true[&namespace=NS]]`: a bearer-authenticated, size-limited upload imported
 * into the storage directory; with `apply=true` each package then becomes a KubePkg object (created or updated)
 * for the cluster's KubePkg controller to apply. Disabled (404) without an import token.
 */
export async function handleImport(
  context: ServeContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { options } = context;
  if (!options.importToken) return sendError(res, 404, 'NOT_FOUND', 'the import endpoint is disabled');
  if (req.method !== 'POST' && req.method !== 'PUT') return sendError(res, 405, 'UNSUPPORTED', 'use POST');
  if (!bearerMatches(req.headers.authorization, options.importToken)) {
    res.setHeader('www-authenticate', 'Bearer realm="kubepkg-import"');
    return sendError(res, 401, 'UNAUTHORIZED', 'a valid bearer token is required');
  }
  const max = options.maxImportBytes ?? DEFAULT_MAX_IMPORT_BYTES;
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > max) return sendError(res, 413, 'SIZE_INVALID', `uploads are limited to ${max} bytes`);
  const apply = url.searchParams.get('apply') === 'true';
  // Refuse before reading a byte: an import that cannot be applied must not write anything.
  if (apply && !options.kubeConfig)
    return sendError(res, 400, 'UNSUPPORTED', 'this agent has no cluster access configured (?apply=true)');
  const namespace = url.searchParams.get('namespace');
  if (namespace !== null && !NAMESPACE.test(namespace))
    return sendError(res, 400, 'NAME_INVALID', '?namespace= must be a Kubernetes namespace name');
  try {
    const result = await importKubePkg(limited(req, max), { dir: options.dir });
    const kubepkgs = apply ? await handOff(context, result.document, namespace) : [];
    return sendJson(res, 200, {
      imported: result.blobs,
      written: result.written,
      tags: result.tags,
      kubepkgs,
    });
  } catch (error) {
    if ((error as { tooLarge?: boolean }).tooLarge)
      return sendError(res, 413, 'SIZE_INVALID', `uploads are limited to ${max} bytes`);
    if (isKubePkgError(error))
      return sendJson(res, 400, { errors: [{ code: error.code, message: error.message }] });
    throw error;
  }
}

/** The request body, failing (`tooLarge`) as soon as more than `max` bytes arrived. */
async function* limited(req: IncomingMessage, max: number): AsyncIterable<Uint8Array> {
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > max) throw Object.assign(new Error('upload too large'), { tooLarge: true });
    yield chunk;
  }
}

/** Creates or updates the KubePkg object of every package of an imported document (the agent's namespace). */
async function handOff(
  context: ServeContext,
  document: Parameters<typeof kubePkgsOf>[0],
  namespace: string | null,
) {
  const { kubeConfig } = context.options;
  if (!kubeConfig) return [];
  const target = namespace || context.options.namespace || contextNamespace(kubeConfig);
  const handed = [];
  for (const pkg of kubePkgsOf(document))
    handed.push(await upsertKubePkgObject(pkg, { kubeConfig, namespace: target }));
  return handed;
}

import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TestEnvError } from '../errors.ts';
import { pollUntil, simpleRequest } from '../net/https-request.ts';

/** A CRD object, or a path to a YAML/JSON file or a directory of them (non-CRD documents are ignored). */
export type CrdInput = string | Record<string, unknown>;

/** How the control-plane helpers talk to the apiserver (admin client certificate). */
export interface ApiAccess {
  server: string;
  tls: { ca: string; cert: string; key: string };
}

interface CrdShape {
  kind?: string;
  metadata?: { name?: string; resourceVersion?: string };
  spec?: {
    group?: string;
    names?: { plural?: string };
    versions?: Array<{ name?: string; served?: boolean }>;
  };
}

/** Sends a JSON request as admin and returns status and parsed body. */
export async function apiRequest(
  api: ApiAccess,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown; text: string }> {
  const res = await simpleRequest(`${api.server}${path}`, {
    ...api.tls,
    method,
    timeoutMs: 30_000,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text: res.body };
}

async function readCrdFiles(path: string): Promise<CrdShape[]> {
  const info = await stat(path).catch((cause: unknown) => {
    throw new TestEnvError('INVALID_ARGUMENT', `CRD path ${path} does not exist`, { cause });
  });
  const files = info.isDirectory()
    ? (await readdir(path))
        .filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f)))
        .sort()
        .map((f) => join(path, f))
    : [path];
  const out: CrdShape[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const value = doc.toJS() as CrdShape | null;
      if (value?.kind === 'CustomResourceDefinition') out.push(value);
    }
  }
  return out;
}

/** Creates or replaces each CRD, then polls discovery every 100 ms until every served version lists its plural. */
export async function installCustomResourceDefinitions(
  api: ApiAccess,
  inputs: readonly CrdInput[],
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const crds: CrdShape[] = [];
  for (const input of inputs) {
    if (typeof input === 'string') crds.push(...(await readCrdFiles(input)));
    else crds.push(input as CrdShape);
  }
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  for (const crd of crds) {
    const name = crd.metadata?.name;
    if (!name || !crd.spec?.group || !crd.spec.names?.plural) {
      throw new TestEnvError(
        'INVALID_ARGUMENT',
        `CRD ${name ?? '(unnamed)'} lacks metadata.name, spec.group or spec.names.plural`,
      );
    }
    const body = { apiVersion: 'apiextensions.k8s.io/v1', ...crd, kind: 'CustomResourceDefinition' };
    let res = await apiRequest(api, 'POST', base, body);
    if (res.status === 409) {
      const current = await apiRequest(api, 'GET', `${base}/${name}`);
      const resourceVersion = (current.body as CrdShape | undefined)?.metadata?.resourceVersion;
      res = await apiRequest(api, 'PUT', `${base}/${name}`, {
        ...body,
        metadata: { ...crd.metadata, resourceVersion },
      });
    }
    if (res.status >= 300) {
      throw new TestEnvError(
        'INVALID_ARGUMENT',
        `the apiserver refused CRD ${name} with HTTP ${res.status}`,
        {
          output: res.text,
        },
      );
    }
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  for (const crd of crds) {
    const group = crd.spec?.group ?? '';
    const plural = crd.spec?.names?.plural ?? '';
    for (const version of crd.spec?.versions ?? []) {
      if (version.served === false || !version.name) continue;
      await pollUntil(
        async () => {
          const res = await apiRequest(api, 'GET', `/apis/${group}/${version.name}`);
          const resources =
            (res.body as { resources?: Array<{ name?: string }> } | undefined)?.resources ?? [];
          return resources.some((r) => r.name === plural) ? true : undefined;
        },
        {
          timeoutMs,
          intervalMs: 100,
          onTimeout: () =>
            new TestEnvError(
              'CRD_TIMEOUT',
              `discovery did not serve ${plural}.${group}/${version.name} within ${timeoutMs} ms`,
            ),
        },
      );
    }
  }
}

// Checks the generated CRDs against the real kube-apiserver of the shared test environment
// (@hub/test-env installs buildCustomResourceDefinitions() there). Objects are sent with
// dryRun=All, so the shared control plane is left untouched.
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { buildCustomResourceDefinitions, ICON_MAX_LENGTH, README_MAX_BYTES } from '@hub/api-types';
import { describe, expect, inject, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

// The shape @hub/test-env provides; declared here so this package does not depend on test-env.
declare module 'vitest' {
  interface ProvidedContext {
    hubTestEnv: { kubeconfigPath: string; apiServer: string };
  }
}

type Kubeconfig = {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
};

const env = inject('hubTestEnv');
const kubeconfig = parse(readFileSync(env.kubeconfigPath, 'utf8')) as Kubeconfig;
const b64 = (data: string | undefined) => Buffer.from(data ?? '', 'base64');

function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const cluster = kubeconfig.clusters[0]?.cluster;
  const user = kubeconfig.users[0]?.user;
  const url = new URL(path, cluster?.server ?? env.apiServer);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: b64(cluster?.['certificate-authority-data']),
        cert: b64(user?.['client-certificate-data']),
        key: b64(user?.['client-key-data']),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const plural: Record<string, string> = {
  Image: 'images',
  Repository: 'repositories',
  Organization: 'organizations',
  DataPack: 'datapacks',
};
const create = (object: { kind: string }) =>
  api('POST', `/apis/imagehub.sealos.io/v1/${plural[object.kind]}?dryRun=All`, object);

describe('generated CRDs on a real kube-apiserver', () => {
  it('are installed as generated, established and structural', async () => {
    for (const crd of buildCustomResourceDefinitions()) {
      const { status, json } = await api(
        'GET',
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      );
      expect(status, crd.metadata.name).toBe(200);
      const conditions = (json.status as { conditions: { type: string; status: string }[] }).conditions;
      expect(conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));
      expect(conditions.map((c) => c.type)).not.toContain('NonStructuralSchema');
      const spec = json.spec as typeof crd.spec;
      expect(spec.versions[0]?.schema).toEqual(crd.spec.versions[0]?.schema);
      expect(spec.scope).toBe('Cluster');
    }
  });

  it('accept every seed sample unchanged and apply the defaults', async () => {
    const fixtures = join(import.meta.dirname, '..', '__fixtures__');
    const objects = readdirSync(fixtures)
      .filter((f) => f.startsWith('seed-') && f.endsWith('.yaml'))
      .flatMap((f) =>
        parseAllDocuments(readFileSync(join(fixtures, f), 'utf8')).map((d) => d.toJS() as { kind: string }),
      );
    expect(objects).toHaveLength(8);
    for (const object of objects) {
      const { status, json } = await create(object);
      expect(status, JSON.stringify(json.message ?? '')).toBe(201);
      const spec = json.spec as { detail?: { creatTime?: string }; expireTime?: string };
      if (object.kind === 'Image') expect(spec.detail?.creatTime).toBe('1970-01-01T00:00:00Z');
      if (object.kind === 'DataPack') expect(spec.expireTime).toMatch(/^(2h|120m)$/);
    }
  });

  it.each(['a/:b', '/x:y', 'labring', 'Labring/mysql:v1'])('reject the Image name %j', async (name) => {
    const { status, json } = await create({
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'Image',
      metadata: { name: 'bad' },
      spec: { name },
    } as { kind: string });
    expect(status).toBe(422);
    expect(String(json.message)).toContain('spec.name');
  });

  it('reject a non-Go expireTime', async () => {
    const { status, json } = await create({
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'DataPack',
      metadata: { name: 'bad' },
      spec: { names: ['labring/mysql:v1'], expireTime: '1d' },
    } as { kind: string });
    expect(status).toBe(422);
    expect(String(json.message)).toContain('spec.expireTime');
  });

  it('limit docs and icon in characters: README_MAX_BYTES multi-byte characters pass, one more is refused', async () => {
    const image = (detail: Record<string, string>) =>
      create({
        apiVersion: 'imagehub.sealos.io/v1',
        kind: 'Image',
        metadata: { name: 'labring.mysql.v1' },
        spec: { name: 'labring/mysql:v1', detail },
      } as { kind: string });
    expect((await image({ docs: '€'.repeat(README_MAX_BYTES) })).status).toBe(201);
    const docs = await image({ docs: 'x'.repeat(README_MAX_BYTES + 1) });
    expect(docs.status).toBe(422);
    expect(String(docs.json.message)).toContain('spec.detail.docs');
    const icon = await image({ icon: 'x'.repeat(ICON_MAX_LENGTH + 1) });
    expect(icon.status).toBe(422);
    expect(String(icon.json.message)).toContain('spec.detail.icon');
  });
});

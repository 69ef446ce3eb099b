import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCustomResourceDefinitions, type JSONSchemaProps, zodToStructuralSchema } from '@hub/api-types';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { renderCrdFiles } from '../../scripts/crd-files.ts';

const crdDir = join(import.meta.dirname, '..', '..', 'crds');
const crds = buildCustomResourceDefinitions();

function walk(
  schema: JSONSchemaProps,
  path: string,
  visit: (s: JSONSchemaProps, path: string) => void,
): void {
  visit(schema, path);
  for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, `${path}.${name}`, visit);
  if (schema.items !== undefined) walk(schema.items, `${path}[]`, visit);
  if (schema.additionalProperties !== undefined) walk(schema.additionalProperties, `${path}.*`, visit);
}

describe('generated CRDs', () => {
  it('match the committed crds/*.yaml exactly (run `npm run generate -w packages/api-types` on drift)', () => {
    const files = renderCrdFiles();
    const committed = readdirSync(crdDir).filter((f) => f.endsWith('.yaml'));
    expect(committed.sort()).toEqual([...files.keys()].sort());
    for (const [name, text] of files) {
      expect(readFileSync(join(crdDir, name), 'utf8'), name).toBe(text);
      expect(parse(text)).toEqual(
        crds.find((crd) => name === `imagehub.sealos.io_${crd.spec.names.plural}.yaml`),
      );
    }
  });

  it('define the four cluster-scoped kinds with short names, category and status subresource', () => {
    expect(crds.map((c) => [c.metadata.name, c.spec.names.shortNames, c.spec.scope])).toEqual([
      ['images.imagehub.sealos.io', ['img'], 'Cluster'],
      ['repositories.imagehub.sealos.io', ['repo'], 'Cluster'],
      ['organizations.imagehub.sealos.io', ['org'], 'Cluster'],
      ['datapacks.imagehub.sealos.io', ['dp'], 'Cluster'],
    ]);
    for (const crd of crds) {
      expect(crd.spec.names.categories).toEqual(['imagehub']);
      expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage, v.subresources])).toEqual([
        ['v1', true, true, { status: {} }],
      ]);
    }
  });

  it('have printer columns for kubectl get', () => {
    const columns = Object.fromEntries(
      crds.map((c) => [
        c.spec.names.kind,
        c.spec.versions[0]?.additionalPrinterColumns.map((col) => col.jsonPath),
      ]),
    );
    expect(columns.Repository).toEqual(
      expect.arrayContaining(['.status.latestTag.name', '.status.tagCount', '.spec.isPrivate']),
    );
    expect(columns.DataPack).toEqual(
      expect.arrayContaining(['.spec.type', '.status.codes', '.spec.expireTime']),
    );
    expect(columns.Image).toEqual(expect.arrayContaining(['.spec.name', '.spec.type', '.spec.detail.size']));
    expect(columns.Organization).toEqual(expect.arrayContaining(['.spec.creator']));
    for (const list of Object.values(columns)) expect(list).toContain('.metadata.creationTimestamp');
  });

  it('are structural: every node typed, no $ref/anyOf/const, maps typed or preserving unknown fields', () => {
    for (const crd of crds) {
      const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
      expect(root).toBeDefined();
      if (root === undefined) continue;
      walk(root, crd.spec.names.kind, (schema, path) => {
        expect(schema.type, path).toBeDefined();
        for (const banned of ['$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'const', '$schema']) {
          expect(Object.keys(schema), path).not.toContain(banned);
        }
        if (schema.properties !== undefined) expect(schema.additionalProperties, path).toBeUndefined();
        if (schema.pattern !== undefined) {
          expect(() => new RegExp(schema.pattern as string), path).not.toThrow();
          // RE2 (the API server's engine) has no lookarounds or backreferences.
          expect(schema.pattern, path).not.toMatch(/\(\?[=!<]|\\[1-9]/);
        }
      });
    }
  });

  it('carry the original defaults, enums and the name grammar', () => {
    const [image, repository, , dataPack] = crds.map((c) => c.spec.versions[0]?.schema.openAPIV3Schema);
    const spec = (s: JSONSchemaProps | undefined) => s?.properties?.spec?.properties;
    expect(spec(image)?.detail?.properties?.creatTime).toMatchObject({
      type: 'string',
      format: 'date-time',
      default: '1970-01-01T00:00:00Z',
    });
    expect(spec(image)?.name?.pattern).toMatch(/^\^.+\$$/);
    expect(spec(repository)?.isPrivate).toEqual({
      type: 'boolean',
      default: false,
      description: expect.any(String),
    });
    expect(spec(dataPack)?.type).toMatchObject({ enum: ['base', 'grid', 'detail'], default: 'base' });
    expect(spec(dataPack)?.expireTime).toMatchObject({ default: '2h' });
    const status = dataPack?.properties?.status?.properties;
    expect(status?.codes).toMatchObject({ type: 'integer', enum: [0, 1, 2, 3] });
    expect(status?.datas?.additionalProperties?.type).toBe('object');
    expect(status?.conditions?.['x-kubernetes-list-map-keys']).toEqual(['type']);
  });

  it('refuse schemas a structural CRD cannot express instead of emitting them', () => {
    expect(() => zodToStructuralSchema(z.object({ a: z.union([z.string(), z.number()]) }))).toThrow(/anyOf/);
    expect(zodToStructuralSchema(z.object({ m: z.record(z.string(), z.unknown()) })).properties?.m).toEqual({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
    expect(zodToStructuralSchema(z.object({ n: z.string().nullable() })).properties?.n).toEqual({
      type: 'string',
      nullable: true,
    });
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KUBEPKG_API_VERSION, kubePkgCustomResourceDefinition, kubePkgJsonSchema } from '@hub/kubepkg/spec';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatedFiles } from './generated-files.ts';

const root = join(import.meta.dirname, '..', '..');

describe('committed generated files', () => {
  for (const [path, expected] of Object.entries(generatedFiles())) {
    it(`${path} matches its generator (run scripts/generate.ts after changing the schema)`, () => {
      expect(readFileSync(join(root, path), 'utf8')).toBe(expected);
    });
  }

  it('the CRD YAML parses back to the CRD object', () => {
    const crd = parse(readFileSync(join(root, 'crds/kubepkg.yaml'), 'utf8'));
    expect(crd).toEqual(kubePkgCustomResourceDefinition());
    expect(crd.metadata.name).toBe('kubepkgs.octohelm.tech');
    expect(`${crd.spec.group}/${crd.spec.versions[0].name}`).toBe(KUBEPKG_API_VERSION);
  });

  it('the JSON schema requires apiVersion/kind/metadata/spec of a KubePkg', () => {
    const schema = kubePkgJsonSchema() as {
      oneOf?: Array<{ required?: string[] }>;
      anyOf?: Array<{ required?: string[] }>;
    };
    const variants = schema.oneOf ?? schema.anyOf ?? [];
    expect(variants.length).toBe(2);
    expect(variants[0]?.required).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'spec']));
  });
});

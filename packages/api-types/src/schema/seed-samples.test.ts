import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssues, validateImageHubObject } from '@hub/api-types';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// Copies of the YAML samples in ../shared/seeds (each fixture names its source), so the test is self-contained.
const fixtures = join(import.meta.dirname, '..', '__fixtures__');
const documents = readdirSync(fixtures)
  .filter((file) => file.startsWith('seed-') && file.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(fixtures, file), 'utf8')).map((doc, index) => {
      expect(doc.errors).toEqual([]);
      return { label: `${file}#${index}`, value: doc.toJS() as unknown };
    }),
  );

describe('every seed sample validates unchanged', () => {
  it('found the samples (3 fixture files, 8 documents)', () => {
    expect(documents).toHaveLength(8);
  });

  it.each(documents)('$label', ({ value }) => {
    const result = validateImageHubObject(value);
    if (!result.success) throw new Error(formatIssues(result.issues));
    // Unknown fields (spec.namespace in one sample) pass through; defaults are filled in.
    expect(result.data).toMatchObject(value as object);
  });

  it('fills the original defaults', () => {
    const image = documents.find((d) => d.label === 'seed-001-readme.yaml#0');
    const pack = documents.find((d) => d.label === 'seed-002-design.yaml#3');
    const imageResult = validateImageHubObject(image?.value);
    const packResult = validateImageHubObject(pack?.value);
    expect(
      imageResult.success && imageResult.data.kind === 'Image' && imageResult.data.spec.detail.creatTime,
    ).toBe('1970-01-01T00:00:00Z');
    expect(packResult.success && packResult.data.kind === 'DataPack' && packResult.data.spec.expireTime).toBe(
      '2h',
    );
  });
});

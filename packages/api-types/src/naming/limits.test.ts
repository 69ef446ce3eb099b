import {
  buildCustomResourceDefinitions,
  ICON_MAX_LENGTH,
  type JSONSchemaProps,
  README_MAX_BYTES,
  validateDataPack,
  validateImage,
} from '@hub/api-types';
import { describe, expect, it } from 'vitest';

const image = (detail: Record<string, unknown>) => ({
  apiVersion: 'imagehub.sealos.io/v1',
  kind: 'Image',
  metadata: { name: 'labring.mysql.v8' },
  spec: { name: 'labring/mysql:v8', detail },
});

function property(kind: string, path: string[]): JSONSchemaProps | undefined {
  const crd = buildCustomResourceDefinitions().find((c) => c.spec.names.kind === kind);
  let schema = crd?.spec.versions[0]?.schema.openAPIV3Schema;
  for (const step of path) schema = step === '*' ? schema?.additionalProperties : schema?.properties?.[step];
  return schema;
}

describe('README and icon limits', () => {
  it('are one README limit at or under 1 MiB, and a small icon', () => {
    expect(README_MAX_BYTES).toBe(256 * 1024);
    // maxLength counts characters, up to 4 UTF-8 bytes each: the worst case stays under etcd's 1.5 MiB.
    expect(4 * README_MAX_BYTES).toBeLessThanOrEqual(1024 * 1024);
    expect(ICON_MAX_LENGTH).toBe(8 * 1024);
  });

  it('refuse an Image whose docs or icon is longer, and accept one at the limit', () => {
    expect(validateImage(image({ docs: 'x'.repeat(README_MAX_BYTES) })).success).toBe(true);
    expect(validateImage(image({ icon: 'x'.repeat(ICON_MAX_LENGTH) })).success).toBe(true);
    const docs = validateImage(image({ docs: 'x'.repeat(README_MAX_BYTES + 1) }));
    expect(docs.success).toBe(false);
    if (!docs.success) expect(docs.issues.map((i) => i.path)).toEqual(['spec.detail.docs']);
    const icon = validateImage(image({ icon: `data:image/png;base64,${'A'.repeat(ICON_MAX_LENGTH)}` }));
    expect(icon.success).toBe(false);
    if (!icon.success) expect(icon.issues.map((i) => i.path)).toEqual(['spec.detail.icon']);
  });

  it('refuse a DataPack entry whose docs is longer, and keep docsTruncated', () => {
    const pack = (data: Record<string, unknown>) => ({
      apiVersion: 'imagehub.sealos.io/v1',
      kind: 'DataPack',
      metadata: { name: 'dp' },
      spec: { type: 'detail', names: ['labring/mysql:v8'] },
      status: { codes: 1, datas: { 'labring/mysql:v8': data } },
    });
    const cut = validateDataPack(pack({ docs: '# cut', docsTruncated: true }));
    expect(cut.success && cut.data.status?.datas?.['labring/mysql:v8']?.docsTruncated).toBe(true);
    expect(validateDataPack(pack({ docs: 'x'.repeat(README_MAX_BYTES + 1) })).success).toBe(false);
    expect(validateDataPack(pack({ icon: 'x'.repeat(ICON_MAX_LENGTH + 1) })).success).toBe(false);
  });

  it('are the maxLength of docs and icon in the generated CRDs', () => {
    expect(property('Image', ['spec', 'detail', 'docs'])?.maxLength).toBe(README_MAX_BYTES);
    expect(property('Image', ['spec', 'detail', 'icon'])?.maxLength).toBe(ICON_MAX_LENGTH);
    const entry = ['status', 'datas', '*'];
    expect(property('DataPack', [...entry, 'docs'])?.maxLength).toBe(README_MAX_BYTES);
    expect(property('DataPack', [...entry, 'icon'])?.maxLength).toBe(ICON_MAX_LENGTH);
    expect(property('DataPack', [...entry, 'authorIcon'])?.maxLength).toBe(ICON_MAX_LENGTH);
    expect(property('DataPack', [...entry, 'docsTruncated'])?.type).toBe('boolean');
  });
});

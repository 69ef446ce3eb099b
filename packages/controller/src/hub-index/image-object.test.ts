import { ICON_MAX_LENGTH } from '@hub/api-types';
import type { ImageInspection } from '@hub/image-save';
import { describe, expect, it } from 'vitest';
import { isFreshIndex, isUpToDate, type LiveImage } from './image-diff.ts';
import {
  buildIndexedImage,
  INDEX_FIELD_MANAGER,
  indexFingerprint,
  parseMetadataConfig,
} from './image-object.ts';

const name = { organization: 'acme', repository: 'app', tag: 'v1' };

function inspection(
  over: Partial<ImageInspection> = {},
  drop: (keyof ImageInspection)[] = [],
): ImageInspection {
  const out: ImageInspection = {
    reference: 'r.example/acme/app:v1',
    registry: 'r.example',
    repository: 'acme/app',
    tag: 'v1',
    digest: 'sha256:m',
    os: 'linux',
    architecture: 'arm64',
    platforms: ['linux/arm64'],
    created: '2024-05-06T07:08:09.987654321Z',
    id: 'sha256:c',
    size: 42,
    layers: 2,
    labels: {},
    annotations: {},
    metadata: { keywords: ['Database'], description: 'from labels', icon: 'https://i/icon.png', title: 't' },
    scan: { layersRead: 1, bytesRead: 10, complete: true },
    ...over,
  };
  for (const key of drop) delete out[key];
  return out;
}

describe('buildIndexedImage', () => {
  it('maps config and labels onto the Image, in whole seconds', () => {
    const image = buildIndexedImage(inspection(), { name, source: 'src' });
    expect(image.metadata.name).toBe('acme.app.v1');
    expect(image.spec).toEqual({
      name: 'acme/app:v1',
      detail: {
        keywords: ['Database'],
        description: 'from labels',
        icon: 'https://i/icon.png',
        ID: 'sha256:c',
        arch: 'arm64',
        digest: 'sha256:m',
        platforms: ['linux/arm64'],
        size: 42,
        creatTime: '2024-05-06T07:08:09Z',
      },
    });
    expect(image.metadata.labels['tag.imagehub.sealos.io']).toBe('v1');
  });

  it('pulls a multi-platform image by its index digest and lists every platform', () => {
    const image = buildIndexedImage(
      inspection({ indexDigest: 'sha256:index', platforms: ['linux/amd64', 'linux/arm64/v8'] }),
      { name, source: 'src' },
    );
    expect(image.spec.detail).toMatchObject({
      digest: 'sha256:index',
      platforms: ['linux/amd64', 'linux/arm64/v8'],
    });
  });

  it('docs: the image README, else --readme, else metadata/config.yaml; config.yaml beats labels', () => {
    const file = (text: string) => ({ text, size: text.length, truncated: false, layer: 'l' });
    const meta = file(
      'spec:\n  type: cluster-image\n  detail:\n    docs: yaml docs\n    description: yaml\n',
    );
    const withAll = buildIndexedImage(inspection({ readme: file('readme'), metadataConfig: meta }), {
      name,
      source: 's',
      readme: 'flag',
    });
    expect(withAll.spec.detail.docs).toBe('readme');
    expect(withAll.spec.detail.description).toBe('yaml');
    expect(withAll.spec.type).toBe('cluster-image');
    expect(
      buildIndexedImage(inspection({ metadataConfig: meta }), { name, source: 's', readme: 'flag' }).spec
        .detail.docs,
    ).toBe('flag');
    expect(
      buildIndexedImage(inspection({ metadataConfig: meta }), { name, source: 's' }).spec.detail.docs,
    ).toBe('yaml docs');
    expect(
      buildIndexedImage(inspection({ metadataConfig: meta }), { name, source: 's', type: 'cloud-image' }).spec
        .type,
    ).toBe('cloud-image');
    expect(buildIndexedImage(inspection({}, ['created']), { name, source: 's' }).spec.detail.creatTime).toBe(
      '1970-01-01T00:00:00Z',
    );
  });

  it('reads a bare detail map too, and rejects what is not a map', () => {
    expect(parseMetadataConfig('description: d\nkeywords: [a, 1, b]\n', 'r')).toEqual({
      description: 'd',
      keywords: ['a', 'b'],
    });
    expect(() => parseMetadataConfig('- a\n', 'r')).toThrow(/not a YAML map/);
    expect(() => parseMetadataConfig('a: [', 'r')).toThrow(/not valid YAML/);
  });

  it('leaves out an icon over the CRD limit instead of failing the apply', () => {
    const icon = (value: string) =>
      buildIndexedImage(inspection({ metadata: { keywords: [], icon: value } }), { name, source: 's' }).spec
        .detail.icon;
    const small = `data:image/svg+xml;base64,${'A'.repeat(ICON_MAX_LENGTH - 26)}`;
    expect(icon(small)).toBe(small);
    expect(icon(`${small}A`)).toBeUndefined();
  });
});

describe('isUpToDate', () => {
  const desired = buildIndexedImage(inspection(), { name, source: 'src' });
  const live = (patch: (o: LiveImage) => void = () => {}): LiveImage => {
    const o = structuredClone(desired) as LiveImage;
    o.metadata = { ...o.metadata, labels: { ...o.metadata?.labels, extra: 'by-someone-else' } };
    o.spec = { ...o.spec, detail: { ...o.spec?.detail, actions: {} } };
    patch(o);
    return o;
  };

  it('is true when every field hub-index sends is already there (others may add more)', () => {
    expect(isUpToDate(live(), desired)).toBe(true);
    expect(isUpToDate(undefined, desired)).toBe(false);
  });

  it('sees a changed value, and a field hub-index owns but no longer sends', () => {
    expect(
      isUpToDate(
        live((o) => Object.assign(o.spec?.detail ?? {}, { size: 41 })),
        desired,
      ),
    ).toBe(false);
    const owned = live((o) => {
      Object.assign(o.spec?.detail ?? {}, { url: 'https://old' });
      (o.metadata ?? {}).managedFields = [
        {
          manager: INDEX_FIELD_MANAGER,
          operation: 'Apply',
          fieldsV1: { 'f:spec': { 'f:detail': { 'f:url': {} } } },
        },
      ];
    });
    expect(isUpToDate(owned, desired)).toBe(false);
    const foreign = live((o) => {
      Object.assign(o.spec?.detail ?? {}, { url: 'https://someone' });
      (o.metadata ?? {}).managedFields = [
        { manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:detail': { 'f:url': {} } } } },
      ];
    });
    expect(isUpToDate(foreign, desired)).toBe(true);
  });
});

describe('isFreshIndex', () => {
  const fp = indexFingerprint({ topDigest: 'sha256:m', source: 'src' });
  const made = (managers: { manager: string; fields: string[] }[]): LiveImage => {
    const o = structuredClone(
      buildIndexedImage(inspection(), { name, source: 'src', fingerprint: fp }),
    ) as LiveImage;
    (o.metadata ?? {}).managedFields = managers.map((m) => ({
      manager: m.manager,
      operation: 'Apply',
      fieldsV1: { 'f:spec': { 'f:detail': Object.fromEntries(m.fields.map((f) => [`f:${f}`, {}])) } },
    }));
    return o;
  };
  const all = ['keywords', 'description', 'icon', 'ID', 'arch', 'digest', 'platforms', 'size', 'creatTime'];

  it('is true for the same inputs while hub-index owns every indexed field', () => {
    expect(isFreshIndex(made([{ manager: INDEX_FIELD_MANAGER, fields: all }]), fp)).toBe(true);
  });

  it('is false for other inputs, or once another manager took an indexed field over', () => {
    const live = made([{ manager: INDEX_FIELD_MANAGER, fields: all }]);
    expect(isFreshIndex(live, indexFingerprint({ topDigest: 'sha256:other', source: 'src' }))).toBe(false);
    expect(isFreshIndex(live, indexFingerprint({ topDigest: 'sha256:m', source: 'src', readme: 'x' }))).toBe(
      false,
    );
    const taken = made([
      { manager: INDEX_FIELD_MANAGER, fields: all.filter((f) => f !== 'description') },
      { manager: 'kubectl', fields: ['description'] },
    ]);
    expect(isFreshIndex(taken, fp)).toBe(false);
  });
});

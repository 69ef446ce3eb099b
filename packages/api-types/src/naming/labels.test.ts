import { createHash } from 'node:crypto';
import {
  classifyKeywords,
  IMAGE_HUB_KEYWORDS,
  imageHubLabelSelector,
  imageLabels,
  isImageHubKeyword,
  isValidLabelValue,
  keywordLabelKey,
  LABEL_ORGANIZATION,
  LABEL_REPOSITORY,
  LABEL_TAG,
  labelValue,
  lookupKeyword,
  repositoryLabels,
  UI_KEYWORDS,
} from '@hub/api-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('labels', () => {
  it('uses the original keys and plain values', () => {
    expect(imageLabels({ organization: 'labring', repository: 'mysql', tag: 'v8.0.25' })).toEqual({
      labels: {
        'organization.imagehub.sealos.io': 'labring',
        'repository.imagehub.sealos.io': 'mysql',
        'tag.imagehub.sealos.io': 'v8.0.25',
      },
      annotations: {},
    });
  });

  it('shortens an overlong value to prefix + hash and keeps the full value in an annotation', () => {
    const tag = `v${'1'.repeat(99)}`;
    const { labels, annotations } = imageLabels({ organization: 'o', repository: 'r', tag });
    const hash = createHash('sha256').update(tag).digest('hex').slice(0, 10);
    expect(labels[LABEL_TAG]).toBe(`${tag.slice(0, 52)}-${hash}`);
    expect(labels[LABEL_TAG]).toHaveLength(63);
    expect(annotations).toEqual({ [LABEL_TAG]: tag });
  });

  it('repairs values with invalid ends (a tag may start with "_")', () => {
    expect(labelValue('_v1').overflowed).toBe(true);
    expect(labelValue('_v1').value).toMatch(/^v1-[0-9a-f]{10}$/);
    expect(labelValue('___').value).toMatch(/^[0-9a-f]{10}$/);
  });

  it('always yields a valid label value, identical for valid input (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const { value, overflowed } = labelValue(text);
        expect(isValidLabelValue(value)).toBe(true);
        expect(overflowed).toBe(!isValidLabelValue(text));
        if (!overflowed) expect(value).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('adds keyword labels to repositories and builds matching selectors', () => {
    expect(repositoryLabels({ organization: 'labring', repository: 'mysql' }, ['Database']).labels).toEqual({
      [LABEL_ORGANIZATION]: 'labring',
      [LABEL_REPOSITORY]: 'mysql',
      'keyword.imagehub.sealos.io/Database': '',
    });
    expect(keywordLabelKey('GPU')).toBe('keyword.imagehub.sealos.io/GPU');
    expect(
      imageHubLabelSelector({ organization: 'labring', repository: 'mysql', keywords: ['Storage'] }),
    ).toBe(
      'organization.imagehub.sealos.io=labring,repository.imagehub.sealos.io=mysql,keyword.imagehub.sealos.io/Storage',
    );
  });
});

describe('keywords', () => {
  it('is the closed vocabulary of 11, the UI offering the first nine', () => {
    expect(IMAGE_HUB_KEYWORDS).toHaveLength(11);
    expect(UI_KEYWORDS).toEqual(IMAGE_HUB_KEYWORDS.slice(0, 9));
    expect(isImageHubKeyword('Storage')).toBe(true);
    expect(isImageHubKeyword('storage')).toBe(false);
  });
  it('maps case-insensitively and reports unknown keywords', () => {
    expect(lookupKeyword('gitops')).toBe('GitOps');
    expect(lookupKeyword('mysql')).toBeUndefined();
    expect(classifyKeywords(['mysql', 'database', 'Database', 'operator', 'mq'])).toEqual({
      known: ['Database', 'MQ'],
      unknown: ['mysql', 'operator'],
    });
  });
});

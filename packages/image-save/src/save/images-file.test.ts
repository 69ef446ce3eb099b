import { parseImageList } from '@hub/image-save';
import { describe, expect, it } from 'vitest';

describe('parseImageList', () => {
  it("reads sealer's imageList format", () => {
    const text =
      '# images\nnginx:1.27\n\n  quay.io/a/b:1   # pinned\r\n#disabled:1\nghcr.io/x/y@sha256:' +
      'a'.repeat(64) +
      '\n';
    expect(parseImageList(text)).toEqual([
      'nginx:1.27',
      'quay.io/a/b:1',
      `ghcr.io/x/y@sha256:${'a'.repeat(64)}`,
    ]);
  });
});

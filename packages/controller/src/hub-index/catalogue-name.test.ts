import { describe, expect, it } from 'vitest';
import { catalogueName } from './catalogue-name.ts';
import { isIndexError } from './index-error.ts';

describe('catalogueName', () => {
  it('puts one-segment repositories under library and keeps org/repo', () => {
    expect(catalogueName('nginx', '1.27')).toEqual({
      organization: 'library',
      repository: 'nginx',
      tag: '1.27',
    });
    expect(catalogueName('labring/mysql', 'v8.0.31')).toEqual({
      organization: 'labring',
      repository: 'mysql',
      tag: 'v8.0.31',
    });
  });

  it('refuses paths the catalogue cannot name', () => {
    const deep = (() => {
      try {
        return catalogueName('a/b/c', '1');
      } catch (error) {
        return error;
      }
    })();
    expect(isIndexError(deep) && deep.code).toBe('NOT_CATALOGUABLE');
    expect(() => catalogueName('Upper/x', '1')).toThrow(/Upper/);
  });
});

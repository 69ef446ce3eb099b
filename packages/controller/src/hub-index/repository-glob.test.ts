import { describe, expect, it } from 'vitest';
import { matchesAny, repositoryGlob } from './repository-glob.ts';

describe('repositoryGlob', () => {
  it('keeps * and ? inside one segment, lets ** cross segments', () => {
    const team = repositoryGlob('team/*');
    expect(team('team/app')).toBe(true);
    expect(team('team/app/sub')).toBe(false);
    expect(team('other/app')).toBe(false);
    expect(repositoryGlob('team/**')('team/app/sub')).toBe(true);
    expect(repositoryGlob('**/nginx')('nginx')).toBe(true);
    expect(repositoryGlob('**/nginx')('a/b/nginx')).toBe(true);
    expect(repositoryGlob('app-?')('app-1')).toBe(true);
    expect(repositoryGlob('app-?')('app-12')).toBe(false);
    // Regex characters are literal.
    expect(repositoryGlob('a.b')('axb')).toBe(false);
  });

  it('matches everything when no glob is given, else any of them', () => {
    expect(matchesAny([])('x/y')).toBe(true);
    const m = matchesAny(['a/*', 'b']);
    expect(['a/1', 'b', 'c'].map(m)).toEqual([true, true, false]);
  });
});

/**
 * A `--repository` glob as a matcher: `*` and `?` stay inside one path segment, `**` crosses
 * segments (`team/*` matches `team/app`, not `team/app/sub`; `**` matches everything).
 * Hand-written because node:path's matchesGlob is still experimental (it warns on every run).
 */
export function repositoryGlob(glob: string): (repository: string) => boolean {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
      if (glob[i + 1] === '/') {
        // `**/x` also matches `x` at the top.
        source = `${source.slice(0, -2)}(?:.*/)?`;
        i++;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`);
  return (repository) => re.test(repository);
}

/** True when `repository` matches any glob (or there are none). */
export function matchesAny(globs: readonly string[]): (repository: string) => boolean {
  const matchers = globs.map(repositoryGlob);
  return (repository) => matchers.length === 0 || matchers.some((m) => m(repository));
}

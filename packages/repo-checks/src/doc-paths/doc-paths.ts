import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** A repository path a Markdown file names, in a link target or an inline code span. */
export interface DocPath {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the mention. */
  line: number;
  /** The path as written (a link's `#anchor` and `?query` cut off). */
  path: string;
  kind: 'link' | 'code';
}

/** A mention that names nothing in the repository, and why. */
export interface BrokenDocPath extends DocPath {
  reason: 'missing' | 'outside';
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const CODE_SPAN = /(?<!`)`([^`\n]+)`(?!`)/g;
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Spans with placeholders, globs, options or prose are examples, not paths.
const NOT_A_PATH = /[\s<>*{}[\]$|~=,;()@"'`:?#%\\^!]/;

/**
 * The repository paths named by one Markdown text, outside fenced blocks: every relative link target, and
 * every code span that is written as a path (`./x`, `../x`, or starting with an entry of the repository root,
 * such as `packages/…` or `docs/…`). `topLevel` is that root's entry names.
 */
export function extractDocPaths(markdown: string, file: string, topLevel: ReadonlySet<string>): DocPath[] {
  const found: DocPath[] = [];
  let fence: string | undefined;
  markdown.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    const open = FENCE.exec(text);
    if (open) {
      const marks = open[1] as string;
      if (fence === undefined) fence = marks;
      else if (marks[0] === fence[0] && marks.length >= fence.length && text.trim() === marks)
        fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    for (const m of text.matchAll(LINK)) {
      const target = (m[1] as string).replace(/[#?].*$/, '');
      if (target === '' || URL_SCHEME.test(target)) continue;
      found.push({ file, line, path: target, kind: 'link' });
    }
    for (const m of text.replace(LINK, ']()').matchAll(CODE_SPAN)) {
      const span = (m[1] as string).trim();
      if (NOT_A_PATH.test(span) || !span.includes('/')) continue;
      const first = span.split('/')[0] as string;
      if (first === '.' || first === '..' || topLevel.has(first))
        found.push({ file, line, path: span, kind: 'code' });
    }
  });
  return found;
}

/**
 * Where a mention points, or why it points nowhere. A link is read from the file's directory (as GitHub
 * renders it), a `./`/`../` span from there or from the root (the docs run commands from the root), any other
 * span from the root. Leaving the root is `outside`; a path git ignores (a test's output directory) is what a
 * run creates, so it counts as there.
 */
export function checkDocPath(root: string, mention: DocPath): BrokenDocPath | undefined {
  const fileDir = dirname(join(root, mention.file));
  const path = mention.path.replace(/^\/+/, '');
  const relativeSpan = mention.kind === 'code' && /^\.\.?\//.test(mention.path);
  const bases =
    mention.kind === 'link'
      ? [mention.path.startsWith('/') ? root : fileDir]
      : relativeSpan
        ? [fileDir, root]
        : [root];
  const targets = bases.map((base) => resolve(base, path));
  const inside = (target: string) => {
    const rel = relative(root, target);
    return !rel.startsWith('..') && !isAbsolute(rel);
  };
  if (targets.some((t) => inside(t) && (existsSync(t) || ignoredByGit(root, t)))) return undefined;
  return { ...mention, reason: targets.every(inside) ? 'missing' : 'outside' };
}

function ignoredByGit(root: string, target: string): boolean {
  const rel = relative(root, target);
  // As a file or as a directory (`dir/` patterns match only the second).
  return [rel, `${rel}/`].some(
    (path) => spawnSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: root }).status === 0,
  );
}

/** Every broken mention in `files` (relative to `root`). */
export function brokenDocPaths(
  root: string,
  files: readonly string[],
  topLevel: ReadonlySet<string>,
): BrokenDocPath[] {
  return files.flatMap((file) =>
    extractDocPaths(readFileSync(join(root, file), 'utf8'), file, topLevel).flatMap((mention) => {
      const broken = checkDocPath(root, mention);
      return broken ? [broken] : [];
    }),
  );
}

/** `docs/x.md:7: `../shared/y.md` points outside the repository`, one line per broken mention. */
export function formatBrokenDocPath(b: BrokenDocPath): string {
  const what = b.kind === 'link' ? `link ${b.path}` : `\`${b.path}\``;
  return `${b.file}:${b.line}: ${what} ${b.reason === 'outside' ? 'points outside the repository' : 'does not exist'}`;
}

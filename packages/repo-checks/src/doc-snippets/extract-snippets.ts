import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The info-string word that keeps a snippet from being run (it is still type-checked): ```ts no-run */
export const NO_RUN_MARKER = 'no-run';

/** One ```ts code block of a Markdown file. */
export interface DocSnippet {
  /** Path of the Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the snippet's first code line in that file. */
  line: number;
  code: string;
  /** False when the info string carries NO_RUN_MARKER. */
  run: boolean;
  /** A file-name-safe id, unique per snippet: `docs-image-save-md-L29`. */
  id: string;
}

const TS_LANGUAGES = new Set(['ts', 'typescript', 'mts']);
const OPENING = /^( {0,3})(`{3,}|~{3,})\s*(.*)$/;

/** The ```ts snippets of one Markdown text, following CommonMark fences (``` or ~~~, longer closes). */
export function extractSnippets(markdown: string, file: string): DocSnippet[] {
  const lines = markdown.split(/\r?\n/);
  const snippets: DocSnippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPENING.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '```', info = ''] = open;
    if (fence.startsWith('`') && info.includes('`')) continue; // an inline code span, not a fence
    const words = info.trim().split(/\s+/);
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !closing.test(lines[j] ?? ''); j++)
      body.push((lines[j] ?? '').replace(new RegExp(`^ {0,${indent.length}}`), ''));
    if (TS_LANGUAGES.has((words[0] ?? '').toLowerCase())) {
      snippets.push({
        file,
        line: i + 2,
        code: body.join('\n'),
        run: !words.includes(NO_RUN_MARKER),
        id: `${file.replace(/[^A-Za-z0-9]+/g, '-')}-L${i + 2}`,
      });
    }
    i = j;
  }
  return snippets;
}

/** The Markdown files whose snippets are checked: the root README, docs/, and each package's and example's README. */
export function docFiles(root: string): string[] {
  const files = ['README.md'];
  const markdownIn = (dir: string) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((name) => name.endsWith('.md'))
          .sort()
          .map((name) => `${dir}/${name}`)
      : [];
  files.push(...markdownIn('docs'));
  for (const dir of ['packages', 'examples'])
    if (existsSync(join(root, dir)))
      for (const name of readdirSync(join(root, dir)).sort())
        if (existsSync(join(root, dir, name, 'README.md'))) files.push(`${dir}/${name}/README.md`);
  return files.filter((file) => existsSync(join(root, file)));
}

/** Every snippet of every checked Markdown file under `root`. */
export function collectSnippets(root: string, files: string[] = docFiles(root)): DocSnippet[] {
  return files.flatMap((file) => extractSnippets(readFileSync(join(root, file), 'utf8'), file));
}

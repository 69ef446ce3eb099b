import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import type { DocSnippet } from './extract-snippets.ts';

/** One type error, placed in the Markdown file. */
export interface SnippetDiagnostic {
  snippet: DocSnippet;
  /** 1-based line and column in the Markdown file. */
  line: number;
  column: number;
  code: number;
  message: string;
}

/** `docs/x.md:12:5 TS2304: Cannot find name 'y'.`, the form editors and CI logs link. */
export function formatDiagnostic(d: SnippetDiagnostic): string {
  return `${d.snippet.file}:${d.line}:${d.column} TS${d.code}: ${d.message}`;
}

/**
 * The snippet as a module of its own: top-level await works and names do not clash between
 * snippets. Adds no lines before the code, so line N of the file is line N of the snippet.
 */
export function snippetModule(code: string): string {
  return /^\s*(import|export)\b/m.test(code) ? `${code}\n` : `${code}\nexport {};\n`;
}

/** A scratch directory inside the repository (so `@hub/*` imports resolve), one per process. */
export function scratchDir(root: string, purpose: string): string {
  return join(root, 'packages/repo-checks/.snippets', `${purpose}-${process.pid}`);
}

/**
 * Writes each snippet to `<dir>/<id>.ts` (inside the repository, so `@hub/*` imports resolve through
 * its node_modules) and type-checks them in one program with the repository's compiler options and
 * the @hub/source condition: snippets compile against the packages' sources, no build needed.
 * The directory is removed afterwards.
 */
export function typecheckSnippets(
  snippets: DocSnippet[],
  root: string,
  dir = scratchDir(root, 'check'),
): SnippetDiagnostic[] {
  mkdirSync(dir, { recursive: true });
  try {
    return typecheckIn(snippets, root, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function typecheckIn(snippets: DocSnippet[], root: string, dir: string): SnippetDiagnostic[] {
  const byFile = new Map<string, DocSnippet>();
  for (const snippet of snippets) {
    const file = join(dir, `${snippet.id}.ts`);
    writeFileSync(file, snippetModule(snippet.code));
    byFile.set(ts.sys.resolvePath(file), snippet);
  }
  const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, root);
  const program = ts.createProgram([...byFile.keys()], { ...parsed.options, noEmit: true });
  const diagnostics: SnippetDiagnostic[] = [];
  for (const sourceFile of program.getSourceFiles()) {
    const snippet = byFile.get(ts.sys.resolvePath(sourceFile.fileName));
    if (!snippet) continue;
    for (const d of [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ]) {
      const at = sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
      diagnostics.push({
        snippet,
        line: snippet.line + at.line,
        column: at.character + 1,
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
      });
    }
  }
  for (const d of program.getGlobalDiagnostics()) {
    const first = snippets[0];
    if (first)
      diagnostics.push({
        snippet: { ...first, file: relative(root, dir) },
        line: 0,
        column: 0,
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
      });
  }
  return diagnostics;
}

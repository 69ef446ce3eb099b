// How long each function in the packages' sources is, measured with the TypeScript compiler API so that
// strings, comments and nested braces cannot fool a line count.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** One function's span: `file:line` (1-based, relative to the root) and its length in lines. */
export interface FunctionSpan {
  file: string;
  line: number;
  name: string;
  lines: number;
}

/** Files under `packages/<name>/src` that are sources, not tests (unit or integration). */
export function listSourceFiles(root: string): string[] {
  const files: string[] = [];
  const packages = join(root, 'packages');
  for (const pkg of readdirSync(packages, { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue;
    const src = join(packages, pkg.name, 'src');
    for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.tsx?$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name)) continue;
      files.push(relative(root, join(entry.parentPath, entry.name)));
    }
  }
  return files.sort();
}

/**
 * Every function-like node of one source text with its length from its first to its last line, nested
 * closures counted in the enclosing function's length (and measured on their own too).
 */
export function functionSpans(file: string, text: string): FunctionSpan[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      spans.push({ file, line: start + 1, name: nameOf(node), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return spans;
}

/** A readable name: the declaration's own, else the variable or property it is assigned to. */
function nameOf(node: ts.SignatureDeclaration): string {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) &&
    ts.isIdentifier(parent.name)
  )
    return parent.name.text;
  return '(anonymous)';
}

/** The functions of `packages/*\/src` (tests excluded) longer than `limit` lines, longest first. */
export function longFunctions(root: string, limit: number): FunctionSpan[] {
  return listSourceFiles(root)
    .flatMap((file) => functionSpans(file, readFileSync(join(root, file), 'utf8')))
    .filter((span) => span.lines > limit)
    .sort((a, b) => b.lines - a.lines);
}

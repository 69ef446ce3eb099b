// Type-checks every ```ts snippet of the docs and prints each error as `file.md:line:col TSxxxx: …`.
// Usage: node --conditions=@hub/source packages/repo-checks/src/check-docs.ts [file.md ...]
// (`npm run check-docs -w @hub/repo-checks`). Running the snippets needs the test environment:
// `npx vitest run --project repo-checks:integration doc-snippets`.
import { relative, resolve } from 'node:path';
import { collectSnippets } from './doc-snippets/extract-snippets.ts';
import { formatDiagnostic, typecheckSnippets } from './doc-snippets/typecheck-snippets.ts';

const root = resolve(import.meta.dirname, '../../..');
const files = process.argv.slice(2).map((file) => relative(root, resolve(file)));
const snippets = collectSnippets(root, files.length > 0 ? files : undefined);
const diagnostics = typecheckSnippets(snippets, root);
for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
const broken = new Set(diagnostics.map((d) => d.snippet.id)).size;
process.stdout.write(`${snippets.length} snippets type-checked, ${broken} with errors\n`);
process.exitCode = broken > 0 ? 1 : 0;

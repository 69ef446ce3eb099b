// Every ```ts snippet of the docs compiles against the packages' public API (docs/development.md,
// "Docs that run"). One test per snippet, named `file.md:line`, its failure listing each error there.
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectSnippets, extractSnippets } from './extract-snippets.ts';
import {
  formatDiagnostic,
  type SnippetDiagnostic,
  scratchDir,
  typecheckSnippets,
} from './typecheck-snippets.ts';

const root = resolve(import.meta.dirname, '../../../..');
const snippets = collectSnippets(root);

describe('the checker', () => {
  it('places an error at its line and column in the Markdown file', () => {
    const broken = extractSnippets(
      "intro\n\n```ts\nimport { parseImageReference } from '@hub/api-types';\nconst n: number = parseImageReference('x');\n```\n",
      'docs/broken.md',
    );
    const diagnostics = typecheckSnippets(broken, root, scratchDir(root, 'unit'));
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^docs\/broken\.md:5:7 TS2322: Type .* is not assignable to type 'number'/),
    ]);
  }, 60_000);
});

describe('docs snippets type-check', () => {
  let diagnostics: SnippetDiagnostic[] = [];
  beforeAll(() => {
    diagnostics = typecheckSnippets(snippets, root);
  }, 120_000);

  it('finds the snippets', () => {
    expect(snippets.length).toBeGreaterThan(10);
  });

  it.each(snippets.map((s) => [`${s.file}:${s.line}`, s] as const))('%s', (_, snippet) => {
    const errors = diagnostics.filter((d) => d.snippet.id === snippet.id).map(formatDiagnostic);
    expect(errors, errors.join('\n')).toEqual([]);
  });
});

// Docs name only what the repository has: every relative link and every path written in a code span
// resolves inside the checkout (docs/development.md, "Docs that run").
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docFiles } from '../doc-snippets/extract-snippets.ts';
import { brokenDocPaths, checkDocPath, extractDocPaths, formatBrokenDocPath } from './doc-paths.ts';

const root = resolve(import.meta.dirname, '../../../..');
// What a fresh clone has at its root; installed and built trees are not the docs' to name.
const topLevel = new Set(readdirSync(root).filter((name) => name !== 'node_modules' && name !== '.git'));

describe('the path checker', () => {
  const markdown = [
    'See [the guide](image-save.md#resume), [x](https://example.com/a/b) and [top](#scope).',
    'The CRDs are `packages/api-types/crds/`, the original `../shared/reference/sealos-imagehub.md`.',
    'Not paths: `org/repo:tag`, `packages/<name>/src`, `npx vitest run`, `library/nginx`.',
    '```sh',
    'cat packages/nope/missing.ts `packages/nope/missing.ts`',
    '```',
    'Missing: [gone](gone.md) and `docs/gone.md`.',
  ].join('\n');
  const mentions = extractDocPaths(markdown, 'docs/x.md', new Set(['packages', 'docs']));

  it('finds relative links and path-shaped code spans outside fences', () => {
    expect(mentions.map((m) => [m.line, m.kind, m.path])).toEqual([
      [1, 'link', 'image-save.md'],
      [2, 'code', 'packages/api-types/crds/'],
      [2, 'code', '../shared/reference/sealos-imagehub.md'],
      [7, 'link', 'gone.md'],
      [7, 'code', 'docs/gone.md'],
    ]);
  });

  it('reports a path outside the checkout and a missing one', () => {
    expect(
      mentions.map((m) => checkDocPath(root, m)).flatMap((b) => (b ? [formatBrokenDocPath(b)] : [])),
    ).toEqual([
      'docs/x.md:2: `../shared/reference/sealos-imagehub.md` points outside the repository',
      'docs/x.md:7: link gone.md does not exist',
      'docs/x.md:7: `docs/gone.md` does not exist',
    ]);
  });
});

describe('the docs', () => {
  const files = [...docFiles(root), 'COMPATIBILITY.md'];

  it('name only paths that exist in the repository', () => {
    expect(brokenDocPaths(root, files, topLevel).map(formatBrokenDocPath)).toEqual([]);
  });
});

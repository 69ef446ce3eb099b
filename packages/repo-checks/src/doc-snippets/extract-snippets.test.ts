import { describe, expect, it } from 'vitest';
import { extractSnippets } from './extract-snippets.ts';

const doc = [
  '# Title', // 1
  '```ts', // 2
  "import { x } from '@hub/api-types';", // 3
  '```', // 4
  '````md', // 5
  '```ts', // 6  inside a longer fence: not a snippet
  'not code', // 7
  '```', // 8
  '````', // 9
  '~~~typescript no-run', // 10
  'const a = 1;', // 11
  '~~~', // 12
  '```sh', // 13
  'npm test', // 14
  '```', // 15
  '- a list item:', // 16
  '  ```ts', // 17
  '  const indented = 2;', // 18
  '  ```', // 19
].join('\n');

describe('extractSnippets', () => {
  it('finds ```ts and ~~~typescript blocks with their first code line, and skips others and nested fences', () => {
    const snippets = extractSnippets(doc, 'docs/x.md');
    expect(snippets.map((s) => [s.line, s.code, s.run])).toEqual([
      [3, "import { x } from '@hub/api-types';", true],
      [11, 'const a = 1;', false],
      [18, 'const indented = 2;', true],
    ]);
    expect(snippets[0]?.id).toBe('docs-x-md-L3');
  });

  it('reads an unclosed fence to the end of the file', () => {
    expect(extractSnippets('```ts\nconst a = 1;', 'a.md').map((s) => s.code)).toEqual(['const a = 1;']);
  });
});

// No function in packages/*/src (tests excluded) is over 120 lines, nested closures counted: a longer one
// is a sign it does several things that want names of their own (issue 20, "functions that read top to bottom").
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionSpans, longFunctions } from './function-length.ts';

const root = resolve(import.meta.dirname, '../../..');
const LIMIT = 120;

/**
 * The known exceptions, each named with why; remove an entry once its function is split. Keyed
 * `file:function` so a new long function in the same file is not let through.
 */
const ALLOWED = new Map<string, string>([
  // Empty: every function is within the limit. An entry names `file:function` and why it may stay long.
]);

describe('function length', () => {
  it('measures a function from its first to its last line, nested closures included', () => {
    const text =
      'export function outer() {\n  const inner = () => {\n    return 1;\n  };\n  return inner();\n}\n';
    expect(functionSpans('x.ts', text)).toEqual([
      { file: 'x.ts', line: 1, name: 'outer', lines: 6 },
      { file: 'x.ts', line: 2, name: 'inner', lines: 3 },
    ]);
  });

  const spans = longFunctions(root, LIMIT);

  it(`finds no function over ${LIMIT} lines in packages/*/src outside the allow-list`, () => {
    const long = spans.filter((span) => !ALLOWED.has(`${span.file}:${span.name}`));
    expect(long.map((span) => `${span.file}:${span.line} ${span.name} is ${span.lines} lines`)).toEqual([]);
  });

  it('lists no exception that is no longer long (drop the entry once its function is split)', () => {
    const long = new Set(spans.map((span) => `${span.file}:${span.name}`));
    expect([...ALLOWED.keys()].filter((key) => !long.has(key))).toEqual([]);
  });
});

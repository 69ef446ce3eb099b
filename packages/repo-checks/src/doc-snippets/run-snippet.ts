import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocSnippet } from './extract-snippets.ts';
import { snippetModule } from './typecheck-snippets.ts';

/** The registry host the docs write (`127.0.0.1:5000/team/app:v1`); runs replace it with the test registry. */
export const DOCS_REGISTRY = '127.0.0.1:5000';

export interface SnippetRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one snippet as a module with Node (`--conditions=@hub/source`), its working directory a fresh
 * temp dir, DOCS_REGISTRY replaced by `registry`, and `env` (KUBECONFIG, REGISTRY) added.
 * The file is written under `dir`, inside the repository, so `@hub/*` imports resolve.
 */
export function runSnippet(
  snippet: DocSnippet,
  options: { dir: string; registry: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<SnippetRun> {
  mkdirSync(options.dir, { recursive: true });
  const file = join(options.dir, `${snippet.id}.ts`);
  writeFileSync(file, snippetModule(snippet.code.replaceAll(DOCS_REGISTRY, options.registry)));
  const cwd = mkdtempSync(join(tmpdir(), 'hub-snippet-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@hub/source', '--disable-warning=ExperimentalWarning', file],
      {
        cwd,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        rmSync(cwd, { recursive: true, force: true });
        const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ exitCode, stdout, stderr });
      },
    );
  });
}

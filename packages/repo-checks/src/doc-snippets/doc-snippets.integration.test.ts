// Every ```ts snippet of the docs not marked `no-run` runs against the test environment and exits 0
// (docs/development.md, "Docs that run"): the docs' registry 127.0.0.1:5000 becomes the shared test
// registry, which holds team/app:v1 (linux/amd64 + linux/arm64) and charts/demo:0.1.0 for them;
// KUBECONFIG and REGISTRY name the shared control plane and registry; the working dir is a temp dir.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type {} from '@hub/test-env'; // the inject('hubTestEnv') typing
import { buildHelmChart, buildIndex, generateImage, pushImage } from '@hub/test-env/fixtures';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { collectSnippets } from './extract-snippets.ts';
import { runSnippet } from './run-snippet.ts';
import { scratchDir } from './typecheck-snippets.ts';

const root = resolve(import.meta.dirname, '../../../..');
const runnable = collectSnippets(root).filter((s) => s.run);
const env = inject('hubTestEnv');
const dir = scratchDir(root, 'run');

describe('docs snippets run', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    const [amd64, arm64] = await Promise.all([
      generateImage({ seed: 'docs-amd64', layers: 1 }),
      generateImage({ seed: 'docs-arm64', layers: 1, platform: { os: 'linux', architecture: 'arm64' } }),
    ]);
    await pushImage(
      env.registry,
      'team/app',
      'v1',
      buildIndex([
        { node: amd64, platform: { os: 'linux', architecture: 'amd64' } },
        { node: arm64, platform: { os: 'linux', architecture: 'arm64' } },
      ]),
    );
    await pushImage(
      env.registry,
      'charts/demo',
      '0.1.0',
      await buildHelmChart({ name: 'demo', version: '0.1.0', seed: 'docs' }),
    );
  });

  it.each(runnable.map((s) => [`${s.file}:${s.line}`, s] as const))('%s', async (where, snippet) => {
    const result = await runSnippet(snippet, {
      dir,
      registry: env.registry,
      env: { KUBECONFIG: env.kubeconfigPath, REGISTRY: env.registry },
    });
    expect(
      result.exitCode,
      `${where} exited with ${result.exitCode} (mark it \`\`\`ts no-run if it cannot run here):\n${result.stderr.slice(-3000)}`,
    ).toBe(0);
  });
});

// Shared by the kubepkg benchmarks: run one operation per process under /usr/bin/time, and bundle the
// measured code with esbuild as an installed CLI would run it (dist JS, not TS source through type stripping).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const node = join(import.meta.dirname, '../../node_modules/.bin/node');
const esbuild = join(import.meta.dirname, '../../node_modules/.bin/esbuild');

/** One measured run: wall seconds, CPU seconds (user + system: steadier than wall time on a shared machine), peak RSS. */
export interface Measured {
  seconds: number;
  cpuSeconds: number;
  rssMiB: number;
}

/** Runs a command under /usr/bin/time. */
export async function measure(command: string, args: string[]): Promise<Measured> {
  const { stderr } = await run('/usr/bin/time', ['-f', 'BENCH %e %M %U %S', command, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = stderr.split('\n').find((l) => l.startsWith('BENCH ')) ?? '';
  const [, seconds, kib, user, system] = line.split(' ');
  return { seconds: Number(seconds), cpuSeconds: Number(user) + Number(system), rssMiB: Number(kib) / 1024 };
}

/**
 * Bundles child.ts into `outfile`. `kubepkgSource` (a packages/kubepkg directory, e.g. a `git worktree` of an
 * older commit) measures that version of @hub/kubepkg instead of the working tree's.
 */
export async function bundleChild(outfile: string, kubepkgSource?: string): Promise<void> {
  const aliases = kubepkgSource
    ? [
        `--alias:@hub/kubepkg/spec=${join(kubepkgSource, 'src/spec/index.ts')}`,
        `--alias:@hub/kubepkg=${join(kubepkgSource, 'src/index.ts')}`,
      ]
    : [];
  await run(esbuild, [
    join(import.meta.dirname, 'child.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node22',
    '--conditions=@hub/source',
    ...aliases,
    `--outfile=${outfile}`,
    "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  ]);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

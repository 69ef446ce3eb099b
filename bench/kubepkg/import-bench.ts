// kubepkg import --dir vs `tar -xzf` of the same archive, on a realistic corpus (bench/kubepkg/corpus.ts),
// median of BENCH_RUNS (default 3), each in its own process under /usr/bin/time (wall time, peak RSS).
// Run: node_modules/.bin/node --conditions=@hub/source bench/kubepkg/import-bench.ts
// Env: BENCH_LARGE_MIB (default 560), BENCH_RUNS, BENCH_KUBEPKG_SOURCE (a packages/kubepkg dir to measure instead).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCorpus } from './corpus.ts';
import { bundleChild, type Measured, measure, median, node } from './measure.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = await mkdtemp(join(tmpdir(), 'kubepkg-import-bench-'));
try {
  const child = join(work, 'child.mjs');
  await bundleChild(child, process.env.BENCH_KUBEPKG_SOURCE);
  const corpus = await writeCorpus(work, Number(process.env.BENCH_LARGE_MIB ?? 560));
  console.log(
    `corpus: 16 images on shared base layers + 1 large image, ${(corpus.bytes / 1024 ** 2).toFixed(0)} MiB archive`,
  );
  const tar: Measured[] = [];
  const imp: Measured[] = [];
  for (let i = 0; i < RUNS; i++) {
    const tarDir = join(work, 'tar-out');
    await mkdir(tarDir);
    tar.push(await measure('tar', ['-xzf', corpus.path, '-C', tarDir]));
    await rm(tarDir, { recursive: true });
    const importDir = join(work, 'import-out');
    imp.push(await measure(node, [child, 'import', corpus.path, importDir]));
    await rm(importDir, { recursive: true });
  }
  const report = (label: string, runs: Measured[]) =>
    console.log(
      `${label} median ${median(runs.map((r) => r.seconds)).toFixed(2)} s wall (${runs.map((r) => r.seconds.toFixed(2)).join(', ')}), ` +
        `median ${median(runs.map((r) => r.cpuSeconds)).toFixed(2)} s CPU, peak RSS ${Math.max(...runs.map((r) => r.rssMiB)).toFixed(0)} MiB`,
    );
  report('tar -xzf:      ', tar);
  report('kubepkg import:', imp);
  const ratio = (pick: (r: Measured) => number) => (median(imp.map(pick)) / median(tar.map(pick))).toFixed(2);
  console.log(
    `ratio: ${ratio((r) => r.seconds)}x tar -xzf wall time, ${ratio((r) => r.cpuSeconds)}x its CPU time`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}

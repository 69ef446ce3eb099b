#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ensureBinaries } from './binaries/resolve-binaries.ts';
import { startHubTestEnv } from './environment/start-environment.ts';
import { peakRssBytes } from './process/managed-process.ts';

const HELP = `hub-testenv: a real kube-apiserver + etcd and a distribution registry on loopback, for tests and demos

Usage:
  hub-testenv up [--fixtures] [--seed S] [--no-crds] [--json]
      Start the control plane (hub CRDs installed) and the registry, print KUBECONFIG=<path> and
      REGISTRY=<host:port> once ready, run until SIGINT/SIGTERM, then clean up.
  hub-testenv build [--json]
      Make sure kube-apiserver and etcd exist (KUBEBUILDER_ASSETS, TEST_ASSET_*, or a Go build into
      ~/.cache/hub-testenv) and print their paths with the time taken.

Options:
  --fixtures   push the standard fixture corpus to the registry (catalogue printed with --json)
  --seed S     seed of the fixture corpus (default "hub")
  --no-crds    do not install the hub CRDs
  --json       print one JSON object instead of KEY=value lines
  -h, --help   show this help
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      fixtures: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'no-crds': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  if (command === 'build') {
    const started = Date.now();
    const binaries = await ensureBinaries({ onProgress: progress });
    const seconds = (Date.now() - started) / 1000;
    if (values.json) process.stdout.write(`${JSON.stringify({ ...binaries, seconds })}\n`);
    else
      process.stdout.write(
        `KUBE_APISERVER=${binaries.kubeApiserver}\nETCD=${binaries.etcd}\n# ready in ${seconds.toFixed(1)} s (source: ${binaries.source})\n`,
      );
    return 0;
  }
  if (command !== 'up') {
    process.stderr.write(`hub-testenv: unknown command ${JSON.stringify(command)}; run hub-testenv --help\n`);
    return 2;
  }
  const started = Date.now();
  const env = await startHubTestEnv({
    crds: !values['no-crds'],
    fixtures: values.fixtures ? (values.seed === undefined ? {} : { seed: values.seed }) : false,
    onProgress: progress,
  });
  const cp = env.controlPlane;
  const rss = {
    etcd: await peakRssBytes(cp.pids.etcd),
    kubeApiserver: await peakRssBytes(cp.pids.kubeApiserver),
    registry: await peakRssBytes(env.registry.pid),
  };
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        kubeconfig: cp.kubeconfigPath,
        apiServer: cp.server,
        registry: env.registry.host,
        registryStorageDir: env.registry.storageDir,
        controlPlaneStartMs: cp.startMs,
        readyMs: Date.now() - started,
        peakRssBytes: rss,
        fixtures: env.fixtures,
      })}\n`,
    );
  } else {
    process.stdout.write(`KUBECONFIG=${cp.kubeconfigPath}\nREGISTRY=${env.registry.host}\n`);
    process.stderr.write(
      `# control plane ready in ${cp.startMs} ms, everything in ${Date.now() - started} ms; Ctrl-C to stop\n`,
    );
  }
  // Children are unref'd, so keep the event loop alive until a signal arrives.
  const keepAlive = setInterval(() => {}, 60_000);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  clearInterval(keepAlive);
  process.stderr.write(`# ${signal}: stopping\n`);
  await env.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const err = error as { message?: string; output?: string };
    process.stderr.write(`hub-testenv: ${err.message ?? String(error)}\n`);
    if (err.output) process.stderr.write(`--- process output (tail) ---\n${err.output.slice(-4000)}\n`);
    process.exitCode = 1;
  },
);

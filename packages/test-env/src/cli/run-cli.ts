import { parseArgs } from 'node:util';
import { type CliIo, reportUsage } from '@hub/api-types/cli';
import { toHubError } from '@hub/api-types/errors';
import { ensureBinaries } from '../binaries/resolve-binaries.ts';
import { startHubTestEnv } from '../environment/start-environment.ts';
import { isTestEnvError } from '../errors.ts';
import { peakRssBytes } from '../process/managed-process.ts';

export const HELP = `hub-testenv: a real kube-apiserver + etcd and a distribution registry on loopback, for tests and demos

Usage:
  hub-testenv up [--node] [--fixtures [--seed S]] [--no-crds] [--json]
      Start the control plane (hub CRDs installed) and the registry, print KUBECONFIG=<path> and
      REGISTRY=<host:port> once ready, run until SIGINT/SIGTERM, then clean up.
  hub-testenv build [--json]
      Make sure kube-apiserver and etcd exist (KUBEBUILDER_ASSETS, TEST_ASSET_*, or a Go build into
      ~/.cache/hub-testenv) and print their paths with the time taken.

Options:
  --node       add a real node (kubelet, containerd, kube-proxy, CoreDNS, scheduler, controller-manager) in
               its own network namespace; the addresses printed are then the node's host address, not
               127.0.0.1, and they are printed once the node is Ready (needs root)
  --fixtures   push the standard fixture corpus to the registry (catalogue printed with --json)
  --seed S     seed of the fixture corpus (default "hub")
  --no-crds    do not install the hub CRDs
  --json       NDJSON on stdout: progress events, then {"type":"ready",…} (up), last {"type":"summary",…}
  -h, --help   show this help

Exit codes: 0 done, 1 the environment could not be built or started, 2 bad usage.
`;

const OPTIONS = {
  fixtures: { type: 'boolean', default: false },
  node: { type: 'boolean', default: false },
  seed: { type: 'string' },
  'no-crds': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Where the commands report: NDJSON events with --json, else lines on stderr (redrawn on a TTY). */
interface Reporter {
  progress(line: string): void;
  event(event: Record<string, unknown> & { type: string }): void;
}

function reporter(io: CliIo, json: boolean): Reporter {
  let redrawn = false;
  return {
    progress(line) {
      if (json) io.stdout.write(`${JSON.stringify({ type: 'progress', message: line })}\n`);
      else if (io.isTTY) {
        io.stderr.write(`\r\x1b[K${line.slice(0, (io.stderr.columns ?? 100) - 1)}`);
        redrawn = true;
      } else io.stderr.write(`${line}\n`);
    },
    event(event) {
      if (redrawn) io.stderr.write('\r\x1b[K');
      redrawn = false;
      if (json) io.stdout.write(`${JSON.stringify(event)}\n`);
    },
  };
}

/** hub-testenv's logic, driven in-process by tests; the entry (src/cli.ts, runCliEntry) owns signals and exit codes. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS }));
  } catch (error) {
    return reportUsage(io, 'hub-testenv', (error as Error).message);
  }
  const [command, ...extra] = positionals;
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const usage = (problem: string) => reportUsage(io, 'hub-testenv', problem);
  if (command === undefined) return usage('no command given (up or build)');
  if (command !== 'up' && command !== 'build') return usage(`unknown command ${JSON.stringify(command)}`);
  if (extra.length > 0) return usage(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (values.seed !== undefined && !values.fixtures) return usage('--seed needs --fixtures');
  const report = reporter(io, values.json);
  try {
    return command === 'build' ? await build(io, report, values) : await up(io, report, values);
  } catch (error) {
    const failure = toHubError(error);
    report.event({ type: 'summary', ok: false, code: failure.code, message: failure.message });
    io.stderr.write(`hub-testenv: ${failure.message} (${failure.code})\n`);
    if (isTestEnvError(failure) && failure.output)
      io.stderr.write(`--- process output (tail) ---\n${failure.output.slice(-4000)}\n`);
    return 1;
  }
}

async function build(io: CliIo, report: Reporter, values: Values): Promise<number> {
  const started = Date.now();
  const binaries = await ensureBinaries({ env: { ...io.env }, onProgress: report.progress });
  const seconds = (Date.now() - started) / 1000;
  report.event({ type: 'summary', ok: true, ...binaries, seconds });
  if (!values.json)
    io.stdout.write(
      `KUBE_APISERVER=${binaries.kubeApiserver}\nETCD=${binaries.etcd}\n# ready in ${seconds.toFixed(1)} s (source: ${binaries.source})\n`,
    );
  return 0;
}

async function up(io: CliIo, report: Reporter, values: Values): Promise<number> {
  const started = Date.now();
  const env = await startHubTestEnv({
    crds: !values['no-crds'],
    fixtures: values.fixtures ? (values.seed === undefined ? {} : { seed: values.seed }) : false,
    node: values.node,
    onProgress: report.progress,
  });
  try {
    const cp = env.controlPlane;
    report.event({
      type: 'ready',
      kubeconfig: cp.kubeconfigPath,
      apiServer: cp.server,
      registry: env.registry.host,
      registryStorageDir: env.registry.storageDir,
      controlPlaneStartMs: cp.startMs,
      readyMs: Date.now() - started,
      peakRssBytes: {
        etcd: await peakRssBytes(cp.pids.etcd),
        kubeApiserver: await peakRssBytes(cp.pids.kubeApiserver),
        registry: await peakRssBytes(env.registry.pid),
        ...(env.node ? await env.node.peakRss() : {}),
      },
      ...(env.node
        ? {
            node: {
              name: env.node.name,
              nodeIp: env.node.plan.nodeIp,
              startMs: env.node.startMs,
              images: env.node.images,
            },
          }
        : {}),
      fixtures: env.fixtures,
    });
    if (!values.json) {
      io.stdout.write(`KUBECONFIG=${cp.kubeconfigPath}\nREGISTRY=${env.registry.host}\n`);
      io.stderr.write(
        `# control plane ready in ${cp.startMs} ms, everything in ${Date.now() - started} ms; Ctrl-C to stop\n`,
      );
    }
    await untilAborted(io.signal);
    if (!values.json) io.stderr.write('# stopping\n');
  } finally {
    await env.stop();
  }
  report.event({ type: 'summary', ok: true, upMs: Date.now() - started });
  return 0;
}

/** Resolves once `signal` aborts; keeps the event loop alive meanwhile (the servers are unref'd children). */
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => {}, 60_000);
    signal?.addEventListener(
      'abort',
      () => {
        clearInterval(keepAlive);
        resolve();
      },
      { once: true },
    );
  });
}

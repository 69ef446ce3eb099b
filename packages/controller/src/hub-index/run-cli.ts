import { parseArgs } from 'node:util';
import { type CliIo, reportUsage } from '@hub/api-types/cli';
import { toHubError } from '@hub/api-types/errors';
import type { KubeTransport } from '@hub/datapack';
import { stringify } from 'yaml';
import { createImageStore } from './image-store.ts';
import { type IndexEvent, type IndexImagesOptions, indexImages } from './index-images.ts';
import type { IndexSource } from './index-sources.ts';
import { createProgressLine } from './progress-line.ts';
import { readReadmeOverrides } from './readme-overrides.ts';

export const HUB_INDEX_HELP = `hub-index: catalogue images as imagehub Image objects, from their content

Usage:
  hub-index [--kubeconfig PATH] (--registry HOST[:PORT] [--repository GLOB]... | --dir STORAGE_DIR | REF...)
            [--readme FILE | --readme REF=FILE ...] [--platform os/arch] [--type cluster-image|cloud-image]
            [--prune] [--dry-run] [--json] [--plain-http HOST...] [--concurrency N]

Sources (exactly one):
  --registry HOST[:PORT]     every tag of every repository in the registry's _catalog
  --repository GLOB          with --registry or --dir: only matching repositories (team/*, **); repeatable
  --dir STORAGE_DIR          every tag in a hub-save directory (the registry storage layout)
  REF...                     these image references

Options:
  --kubeconfig PATH          cluster to write to (default $KUBECONFIG, then ~/.kube/config, then in-cluster)
  --readme FILE              README for images that have no /README.md
  --readme REF=FILE          README for one image or repository (REF: a reference as given, repo:tag, org/repo:tag, org/repo)
  --platform os/arch         platform described for multi-platform images (default linux/amd64, else the first)
  --type TYPE                spec.type of every Image: cluster-image or cloud-image
  --prune                    delete Images hub-index wrote whose tags are gone (only in the repositories indexed)
  --dry-run                  write nothing; print the Images that would be applied as YAML
  --json                     NDJSON events on stdout, the last one {"type":"summary",...}
  --plain-http HOST          talk HTTP, not HTTPS, to HOST (host or host:port); repeatable
  --concurrency N            images inspected at once (default 4)
  -h, --help                 this help

A repository with one path segment is catalogued under "library" (nginx:1 → library/nginx:1); the
registry host is never part of the name. Credentials come from the docker config, as for hub-save.
Exit status: 0 when every image was indexed, 1 when any failed (each is named), 2 on bad usage.
`;

/** The IO of {@link runHubIndexCli}: the one CLI IO shape of every hub CLI. */
export type HubIndexIo = CliIo;

const TYPES = ['cluster-image', 'cloud-image'];

/** Runs `hub-index` with `argv` (without node and script); resolves to the exit code. */
export async function runHubIndexCli(argv: readonly string[], io: HubIndexIo): Promise<number> {
  const usage = (problem: string) => reportUsage(io, 'hub-index', problem);
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parse(argv));
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    io.stdout.write(HUB_INDEX_HELP);
    return 0;
  }
  const problem = usageProblem(values, positionals);
  if (problem) return usage(problem);
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  let readme: Awaited<ReturnType<typeof readReadmeOverrides>> | undefined;
  try {
    readme = values.readme?.length ? await readReadmeOverrides(values.readme) : undefined;
  } catch (error) {
    return usage((error as Error).message);
  }
  const source: IndexSource =
    values.registry !== undefined
      ? { kind: 'registry', registry: values.registry, repositories: values.repository ?? [] }
      : values.dir !== undefined
        ? { kind: 'dir', dir: values.dir, repositories: values.repository ?? [] }
        : { kind: 'refs', refs: positionals };

  let transport: KubeTransport | undefined;
  try {
    transport = await connect(values.kubeconfig, io.env);
  } catch (error) {
    if (!values['dry-run']) {
      io.stderr.write(`hub-index: cannot use the cluster: ${toHubError(error).message}\n`);
      return 1;
    }
    io.stderr.write('hub-index: no cluster reachable; the dry run compares with nothing\n');
  }
  const json = values.json === true;
  const progress = !json && io.isTTY ? createProgressLine(io.stderr) : undefined;
  const onEvent = (e: IndexEvent) => {
    if (json) io.stdout.write(`${JSON.stringify(e)}\n`);
    progress?.onEvent(e);
  };
  const opts: IndexImagesOptions = {
    source,
    concurrency,
    onEvent,
    ...(transport ? { store: createImageStore(transport) } : {}),
    ...(readme ? { readme } : {}),
    ...(values.platform ? { platform: values.platform } : {}),
    ...(values.type ? { type: values.type } : {}),
    ...(values.prune ? { prune: true } : {}),
    ...(values['dry-run'] ? { dryRun: true } : {}),
    ...(values['plain-http']?.length ? { plainHttp: values['plain-http'] } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  };
  let result: Awaited<ReturnType<typeof indexImages>>;
  try {
    result = await indexImages(opts);
  } catch (error) {
    progress?.done();
    const e = toHubError(error);
    if (json)
      io.stdout.write(
        `${JSON.stringify({ type: 'summary', error: { code: e.code, message: e.message } })}\n`,
      );
    io.stderr.write(`hub-index: ${e.message}\n`);
    return 1;
  } finally {
    await transport?.close();
  }
  progress?.done();
  writeResult(io, result, json, values['dry-run'] === true);
  return result.summary.failed > 0 ? 1 : 0;
}

type Values = ReturnType<typeof parse>['values'];

const HOST_PORT = /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/;

/** What is wrong with how hub-index was called (checked before any work), or `undefined`. */
function usageProblem(values: Values, positionals: readonly string[]): string | undefined {
  const sources = [values.registry !== undefined, values.dir !== undefined, positionals.length > 0].filter(
    Boolean,
  );
  if (sources.length !== 1)
    return 'give exactly one source: --registry HOST, --dir STORAGE_DIR, or image references.';
  if (values.repository?.length && values.registry === undefined && values.dir === undefined)
    return '--repository filters --registry or --dir; it cannot be used with references.';
  if (values.prune && positionals.length > 0)
    return '--prune needs a complete source (--registry or --dir): a list of references says nothing about other tags.';
  if (values.type !== undefined && !TYPES.includes(values.type))
    return `--type must be ${TYPES.join(' or ')}, not "${values.type}".`;
  if (values.platform !== undefined && !/^[a-z0-9_.-]+(\/[a-z0-9_.-]+){0,2}$/.test(values.platform))
    return `--platform must be os/arch[/variant], e.g. linux/arm64, not "${values.platform}".`;
  if (values.concurrency !== undefined) {
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      return '--concurrency must be an integer from 1 to 64.';
  }
  for (const host of values['plain-http'] ?? [])
    if (!HOST_PORT.test(host)) return `--plain-http takes a host or host:port, not "${host}".`;
  if (values.registry !== undefined && !HOST_PORT.test(values.registry))
    return `--registry takes HOST[:PORT], not "${values.registry}".`;
  return undefined;
}

/** The summary line (NDJSON with --json), the dry run's YAML, and a stderr line per failed or skipped image. */
function writeResult(
  io: HubIndexIo,
  result: Awaited<ReturnType<typeof indexImages>>,
  json: boolean,
  dryRun: boolean,
): void {
  const { summary } = result;
  if (json) {
    io.stdout.write(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
  } else {
    if (dryRun) {
      const docs = result.images.filter(
        (r) => r.object && (r.status === 'created' || r.status === 'updated'),
      );
      for (const r of docs) io.stdout.write(`---\n${stringify(r.object, { lineWidth: 0 })}`);
      for (const name of result.pruned) io.stdout.write(`# would delete Image ${name}\n`);
    }
    for (const r of result.images) {
      if (r.status === 'failed')
        io.stderr.write(`hub-index: FAILED ${r.reference}: ${r.error?.message ?? 'unknown error'}\n`);
      if (r.status === 'skipped')
        io.stderr.write(`hub-index: skipped ${r.reference}: ${r.error?.message ?? ''}\n`);
    }
    for (const f of result.listFailures)
      io.stderr.write(`hub-index: FAILED ${f.repository}: ${f.error.message}\n`);
    const verb = summary.dryRun ? 'would change' : 'changed';
    io.stdout.write(
      `${summary.images} images: ${summary.changed} ${verb} (${summary.created} created, ${summary.updated} updated, ${summary.pruned} pruned), ` +
        `${summary.unchanged} unchanged, ${summary.skipped} skipped, ${summary.failed} failed, ${(summary.durationMs / 1000).toFixed(1)} s\n`,
    );
  }
}

async function connect(kubeconfig: string | undefined, env: CliIo['env']): Promise<KubeTransport> {
  // Loaded on first use: --help and usage errors skip it. The transport never loads client-node.
  const [{ loadKubeconfig }, { createKubeTransport }] = await Promise.all([
    import('@hub/api-types/kubeconfig'),
    import('@hub/datapack'),
  ]);
  return createKubeTransport(loadKubeconfig({ path: kubeconfig, env }), {
    userAgent: 'hub-index',
    connections: 8,
  });
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      registry: { type: 'string' },
      repository: { type: 'string', multiple: true },
      dir: { type: 'string' },
      readme: { type: 'string', multiple: true },
      platform: { type: 'string' },
      type: { type: 'string' },
      prune: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      'plain-http': { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
